"""The endpoints file the Rasa server runs with, written from settings at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import yaml


def render_endpoints(action_url: str, tracker_sqlite: Path) -> Dict[str, Any]:
    return {
        "action_endpoint": {"url": action_url},
        "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(tracker_sqlite)},
    }


def write_endpoints(path: Path, action_url: str, tracker_sqlite: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(render_endpoints(action_url, tracker_sqlite), sort_keys=False))
    return path
