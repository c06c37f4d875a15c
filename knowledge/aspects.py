"""Which aspect of a measure a question asks about (what / who / how_to_apply / …).

Keywords are data (``data/aspects.yaml``); this module only matches them.
"""

from __future__ import annotations

import re
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
def _load() -> Tuple[List[Aspect], str, str]:
    """The aspects in order, the default aspect, and the follow-up filler characters."""
    raw = yaml.safe_load((DATA_DIR / "aspects.yaml").read_text(encoding="utf-8"))
    aspects = [Aspect(a["key"], a["label"], tuple(a["keywords"])) for a in raw["aspects"]]
    return aspects, raw["default"], str(raw.get("followup_fillers") or "")


def aspects() -> Dict[str, Aspect]:
    return {aspect.key: aspect for aspect in _load()[0]}


def detect(question: str) -> str:
    """The aspect key of ``question``; the default aspect when no keyword occurs."""
    text = normalise(question)
    ordered, default, _ = _load()
    for aspect in ordered:
        if any(keyword in text for keyword in aspect.keywords):
            return aspect.key
    return default


_PUNCTUATION = re.compile(r"[\s,.!?;:，。！？；：、~～…\"'“”‘’()（）]")


def is_bare_followup(question: str) -> bool:
    """True when ``question`` asks about an aspect and names nothing else ("那谁能办？"): every
    character is part of an aspect keyword or a filler."""
    text = _PUNCTUATION.sub("", normalise(question))
    covered = [False] * len(text)
    for keyword in {k for aspect in aspects().values() for k in aspect.keywords}:
        start = text.find(keyword)
        while start != -1:
            covered[start : start + len(keyword)] = [True] * len(keyword)
            start = text.find(keyword, start + 1)
    fillers = _load()[2]
    return any(covered) and all(done or char in fillers for char, done in zip(text, covered, strict=True))
