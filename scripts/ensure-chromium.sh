#!/usr/bin/env bash
# The browser tests drive Debian's chromium (headless) through Playwright. Installs it, with a
# CJK font so Chinese renders in the screenshots, when it is missing; quick when it is there.
set -euo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
font_present() { fc-list :lang=zh 2>/dev/null | grep -q .; }

if [[ -x $chromium ]] && font_present; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The browser tests need Chromium at $chromium and a Chinese font." >&2
  echo "On Debian/Ubuntu: sudo apt-get install -y chromium fonts-wqy-microhei" >&2
  echo "(or set CHROMIUM_PATH to another Chromium binary)." >&2
  exit 1
fi
echo "Installing Chromium and a Chinese font for the browser tests (apt-get, about a minute) …"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >/dev/null
echo "Installed $("$chromium" --version 2>/dev/null || echo chromium)."
