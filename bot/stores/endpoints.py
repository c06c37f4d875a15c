"""The endpoints file the Rasa server runs with, written from settings at start-up.

Tracker store and lock store come from ``bot.stores.settings.StoreSettings`` (DATABASE_URL, REDIS_URL);
see that module for what each setting selects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import yaml

from bot.stores.settings import StoreSettings


def render_endpoints(action_url: str, tracker_sqlite: Path, stores: StoreSettings | None = None) -> Dict[str, Any]:
    stores = stores if stores is not None else StoreSettings.from_env()
    endpoints: Dict[str, Any] = {
        "action_endpoint": {"url": action_url},
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
