"""Settings from an uncommitted ``.env`` file (see ``.env.example``), for ``make run`` and friends.

Lines are ``NAME=value`` (optionally quoted, ``#`` comments, ``export`` allowed). Variables already
set in the environment win, so ``RASA_PORT=6000 make run`` still overrides the file.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Dict, MutableMapping

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def parse(text: str) -> Dict[str, str]:
    values: Dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            continue
        name, raw = match.groups()
        try:
            parts = shlex.split(raw, comments=True)
        except ValueError:
            parts = [raw]
        values[name] = " ".join(parts)
    return values


def load(path: Path, environ: MutableMapping[str, str] = os.environ) -> Dict[str, str]:
    """Set the file's variables that are not set yet; return what was set."""
    if not path.is_file():
        return {}
    added = {k: v for k, v in parse(path.read_text(encoding="utf-8")).items() if k not in environ}
    environ.update(added)
    return added
