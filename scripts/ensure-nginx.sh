#!/usr/bin/env bash
# Make sure nginx (the load balancer of `make run-cluster`) is installed, from Debian's packages.
# Installs the package only; its system service is not started (bot/processes/cluster.py runs nginx itself).
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: nginx is not installed and this is not a Debian/Ubuntu machine; install nginx and retry" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "error: installing nginx needs root: run 'apt-get install nginx-light' as root and retry" >&2; exit 1
  fi
fi
echo "[nginx] installing Debian's nginx-light package (once)"
# policy-rc.d exit 101 keeps the package from starting the system-wide nginx on port 80.
policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && created_policy=1
fi
trap '[ -n "$created_policy" ] && $sudo rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]
echo "[nginx] installed: $(/usr/sbin/nginx -v 2>&1)"
