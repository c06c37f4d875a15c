#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6.21 installs on 3.10 only).
# Looks, in order, at: $PYTHON, python3.10 on PATH, pyenv's 3.10.x, `uv python find 3.10`.
set -u

is_310() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1
}

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
root=""
command -v pyenv >/dev/null 2>&1 && root=$(pyenv root 2>/dev/null)
[ -n "$root" ] || root="${PYENV_ROOT:-$HOME/.pyenv}"
if [ -d "$root/versions" ]; then
  for dir in $(ls -d "$root"/versions/3.10.* 2>/dev/null | sort -rV); do
    candidates+=("$dir/bin/python")
  done
fi
if command -v uv >/dev/null 2>&1; then
  found=$(uv python find 3.10 2>/dev/null) && candidates+=("$found")
fi

for candidate in "${candidates[@]}"; do
  # pyenv's shims exist for versions that are not selected; resolve them through PYENV_VERSION.
  if is_310 "$candidate"; then
    echo "$candidate"; exit 0
  fi
done

cat >&2 <<'MSG'
error: Python 3.10 not found (Rasa 3.6.21 installs on Python 3.10 only).
Install one of these, then run the command again:
  - your system's python3.10 package (e.g. `apt-get install python3.10 python3.10-venv`)
  - pyenv:  pyenv install 3.10.13
  - uv:     uv python install 3.10
Or point PYTHON at a 3.10 interpreter: make run PYTHON=/path/to/python3.10
MSG
exit 1
