"""The endpoints file the Rasa server runs with, written from settings at start-up.

Tracker store and lock store come from ``bot.stores.settings.StoreSettings`` (DATABASE_URL, REDIS_URL);
see that module for what each setting selects.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict

import yaml

from bot.stores.settings import StoreSettings

# Sent to the action server with every call when ACTION_SERVER_TOKEN is set (bot/action_server/__main__.py).
ACTION_TOKEN_HEADER = "X-Action-Token"


def render_endpoints(
    action_url: str, tracker_sqlite: Path, stores: StoreSettings | None = None, action_token: str | None = None
) -> Dict[str, Any]:
    """``action_token`` defaults to ACTION_SERVER_TOKEN from the environment."""
    stores = stores if stores is not None else StoreSettings.from_env()
    if action_token is None:
        action_token = os.environ.get("ACTION_SERVER_TOKEN", "").strip() or None
    action_endpoint: Dict[str, Any] = {"url": action_url}
    if action_token:
        action_endpoint["headers"] = {ACTION_TOKEN_HEADER: action_token}
    endpoints: Dict[str, Any] = {
        "action_endpoint": action_endpoint,
        "tracker_store": stores.tracker_store(tracker_sqlite),
        "lock_store": stores.lock_store(),
    }
    return endpoints


def write_endpoints(path: Path, action_url: str, tracker_sqlite: Path, stores: StoreSettings | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(render_endpoints(action_url, tracker_sqlite, stores), sort_keys=False))
    # The file may hold database passwords: readable by its owner only.
    path.chmod(0o600)
    return path
