"""The channels' and the Rasa server's own wording (welcome, help, notices, errors), read from channel_texts.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

TEXTS_FILE = Path(__file__).with_name("channel_texts.yml")


@lru_cache(maxsize=1)
def _texts() -> Dict[str, Dict[str, str]]:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def channel_text(channel: str, name: str, **values: object) -> str:
    """The text ``name`` for ``channel`` ("telegram" | "wechat" | "webchat"), falling back to the common one."""
    texts = _texts()
    text = (texts.get(channel) or {}).get(name) or texts["common"][name]
    return text.format(**values) if values else text
