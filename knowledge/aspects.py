"""Which aspect of a measure a question asks about (what / who / how_to_apply / …).

Keywords are data (``data/aspects.yaml``); this module only matches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Tuple

import yaml

from knowledge.paths import DATA_DIR
from knowledge.textnorm import normalise


@dataclass(frozen=True)
class Aspect:
    key: str
    label: str
    keywords: Tuple[str, ...]


@lru_cache(maxsize=1)
def _load() -> Tuple[List[Aspect], str]:
    raw = yaml.safe_load((DATA_DIR / "aspects.yaml").read_text(encoding="utf-8"))
    aspects = [Aspect(a["key"], a["label"], tuple(a["keywords"])) for a in raw["aspects"]]
    return aspects, raw["default"]


def aspects() -> Dict[str, Aspect]:
    return {aspect.key: aspect for aspect in _load()[0]}


def detect(question: str) -> str:
    """The aspect key of ``question``; the default aspect when no keyword occurs."""
    text = normalise(question)
    ordered, default = _load()
    for aspect in ordered:
        if any(keyword in text for keyword in aspect.keywords):
            return aspect.key
    return default
