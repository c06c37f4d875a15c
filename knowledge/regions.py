"""Whether a question asks about another province's or city's policy (then it is out of scope).

The places and the words around them are data (``data/regions.yaml``); this module only reads
them. A question naming an Anhui place is about Anhui; otherwise the first other place that is not
the company's origin or a trip's destination is the policy's owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Tuple

import yaml

from knowledge.paths import DATA_DIR
from knowledge.textnorm import normalise

_SUFFIX = re.compile(r"^(?:省|市|自治区|特别行政区)?(?:那边|那里|这边)?")
_SUFFIX_END = re.compile(r"(?:省|市|自治区|特别行政区)$")


@dataclass(frozen=True)
class Regions:
    home: Tuple[str, ...]
    other: Tuple[str, ...]
    before_not_owner: Tuple[str, ...]
    after_not_owner: Tuple[str, ...]


@lru_cache(maxsize=1)
def regions() -> Regions:
    raw = yaml.safe_load((DATA_DIR / "regions.yaml").read_text(encoding="utf-8"))
    return Regions(
        home=tuple(raw["home"]),
        # Longest first: 内蒙古 before a shorter name inside it, 乌鲁木齐 as one place.
        other=tuple(sorted(raw["other"], key=len, reverse=True)),
        before_not_owner=tuple(raw["before_not_owner"]),
        after_not_owner=tuple(sorted(raw["after_not_owner"], key=len, reverse=True)),
    )


def foreign_region(question: str) -> str | None:
    """The other place whose policy ``question`` asks about, or None (Anhui, or no place)."""
    text = normalise(question)
    data = regions()
    if not text or any(word in text for word in data.home):
        return None
    for place in data.other:
        for match in re.finditer(re.escape(place), text):
            # In a list of places ("去上海、江苏、浙江学习") each place has the list's context.
            before = _strip_places(text[: match.start()], data, from_end=True)
            after = _strip_places(text[match.end() :], data, from_end=False)
            if before.endswith(data.before_not_owner) or after.startswith(data.after_not_owner):
                continue
            if after.startswith("的") and after[1:].startswith(data.after_not_owner):
                continue
            return place
    return None


def _strip_places(text: str, data: Regions, from_end: bool) -> str:
    """``text`` without the places, 省/市 suffixes and list separators next to the match."""
    while True:
        if from_end:
            stripped = text.rstrip("、,，和及与 ")
            stripped = _SUFFIX_END.sub("", stripped)
            for place in data.other:
                if stripped.endswith(place):
                    stripped = stripped[: -len(place)]
                    break
        else:
            suffix = _SUFFIX.match(text)
            stripped = text[suffix.end() if suffix else 0 :].lstrip("、,，和及与 ")
            for place in data.other:
                if stripped.startswith(place):
                    stripped = stripped[len(place) :]
                    break
        if stripped == text:
            return text
        text = stripped
