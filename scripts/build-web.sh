#!/usr/bin/env bash
# Builds the web chat widget and the staff console (web/, npm + esbuild) into bot/channels/webchat/static/.
# The built files are committed, so a fresh clone runs without Node; this rebuilds them only
# when web/'s sources, build script or lock file changed (a hash of them is kept next to the build).
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=bot/channels/webchat/static/.source-hash
source_hash() {
  local file
  for file in web/package.json web/package-lock.json web/build.mjs $(LC_ALL=C ls web/src/* | LC_ALL=C sort); do
    printf '%s\n' "$file"
    cat "$file"
  done | sha256sum | cut -d' ' -f1
}

hash="$(source_hash)"
if [[ -f $stamp && "$(cat "$stamp")" == "$hash" && -f bot/channels/webchat/static/webchat/widget.js && -f bot/channels/webchat/static/console/console.js && -f bot/channels/webchat/static/staff/staff.css && -f bot/channels/webchat/static/test-only/axe.min.js ]]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "web/ changed since bot/channels/webchat/static/ was built, and npm is not installed." >&2
  echo "Install Node.js 20 (with npm), then run 'make web'." >&2
  exit 1
fi
echo "Building the web chat and the staff console (web/ changed): npm ci, then esbuild …"
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
echo "$hash" >"$stamp"
