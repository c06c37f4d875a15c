#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies. Re-runs only when
# requirements.txt or constraints.txt changed (a stamp file in .venv remembers their hash).
set -euo pipefail
cd "$(dirname "$0")/.."

stamp_hash=$(cat requirements.txt constraints.txt | sha256sum | cut -c1-16)
stamp=".venv/.installed-$stamp_hash"
if [ -f "$stamp" ] && [ -x .venv/bin/python ]; then
  exit 0
fi

python=$(scripts/find-python.sh)
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)'; then
  echo "[setup 1/3] Creating .venv with $("$python" --version) ($python)"
  rm -rf .venv
  "$python" -m venv .venv
fi
echo "[setup 2/3] Upgrading pip"
.venv/bin/python -m pip install --quiet --disable-pip-version-check "pip==24.0"
echo "[setup 3/3] Installing Rasa 3.6.21 and the other pinned dependencies (about 2-4 min and 3 GB the first time)"
.venv/bin/python -m pip install --disable-pip-version-check --progress-bar on \
  -r requirements.txt -c constraints.txt 2>&1 | grep -E --line-buffered '^(Collecting|Installing|Successfully|ERROR|error)' \
  | sed -u -E 's/^Collecting ([^ ]+).*/  collecting \1/' || true
if ! .venv/bin/python -c 'import rasa, rasa_sdk, telegram, wechatpy' 2>/dev/null; then
  echo "error: the install did not finish; run '.venv/bin/python -m pip install -r requirements.txt -c constraints.txt' to see pip's full message" >&2
  exit 1
fi
rm -f .venv/.installed-*
touch "$stamp"
echo "[setup] done: $(.venv/bin/python -m rasa --version 2>/dev/null | grep -m1 'Rasa Version' | tr -s ' ')"
