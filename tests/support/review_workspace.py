"""The maintainer and the project copy the shared test server's review inbox writes to, so that
decisions made in tests never touch this checkout's training data (tests/conftest.py sets both
in the server's environment)."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import Dict

PROJECT_DIR = Path(__file__).resolve().parents[2]
MAINTAINER = "alice"
MAINTAINER_TOKEN = secrets.token_hex(12)
COPIED = ("data", "knowledge/data", "tests/heldout", "domain.yml", "config.yml", "quality_floor.yml")


def make_workspace(folder: Path) -> Path:
    """A copy of what decisions and trainings read and write."""
    for name in COPIED:
        source, target = PROJECT_DIR / name, folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    return folder


def server_env(folder: Path) -> Dict[str, str]:
    return {"MAINTAINER_TOKENS": f"{MAINTAINER}:{MAINTAINER_TOKEN}", "REVIEW_WORKSPACE": str(make_workspace(folder))}
