"""English questions: which measure an English message is about, and the English lines of the reply.

The NLU is trained on Chinese; jieba splits English into words and the classifier's guess on
them is noise. So an English message is recognised here (no Chinese characters, Latin words) and
matched on English keywords per measure (knowledge/data/english.yaml, whole words, longest
first, or "article 13"); the reply is the measure's Chinese answer with an English line saying
what it cites, or, with no measure found, an English reply saying what the assistant covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Tuple

import yaml

from knowledge.paths import DATA_DIR
from knowledge.source_data import read_all

ENGLISH_FILE = DATA_DIR / "english.yaml"
_CHINESE = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_ARTICLE = re.compile(r"\b(?:article|measure|item|clause|no\.?)\s*(\d{1,2})\b")


@dataclass(frozen=True)
class EnglishData:
    keywords: Tuple[Tuple[str, str], ...]  # (keyword, measure key), longest first
    titles: Dict[str, str]
    cites: str
    not_covered: str
    issuer_en: str


@lru_cache(maxsize=1)
def data() -> EnglishData:
    raw = yaml.safe_load(ENGLISH_FILE.read_text(encoding="utf-8"))
    pairs = [(str(word).lower(), key) for key, spec in raw["measures"].items() for word in spec["keywords"]]
    pairs.sort(key=lambda pair: -len(pair[0]))
    return EnglishData(
        keywords=tuple(pairs),
        titles={key: spec["title"] for key, spec in raw["measures"].items()},
        cites=raw["cites"],
        not_covered=" ".join(str(raw["not_covered"]).split()),
        issuer_en=raw["issuer_en"],
    )


def is_english(text: str) -> bool:
    """A message written in English: Latin words and not one Chinese character ("/payloads" aside)."""
    text = (text or "").strip()
    if not text or text.startswith("/") or _CHINESE.search(text):
        return False
    return bool(_LATIN_WORD.search(text))


def _numbers() -> Dict[int, str]:
    return {int(m["number"]): m["key"] for document in read_all() for m in document.measures}


def english_measure(text: str) -> str | None:
    """The measure an English question is about: "article 13", else the longest keyword found."""
    lowered = (text or "").lower()
    article = _ARTICLE.search(lowered)
    if article and int(article.group(1)) in _numbers():
        return _numbers()[int(article.group(1))]
    for keyword, key in data().keywords:
        if re.search(rf"(?<![a-z]){re.escape(keyword)}(?![a-z])", lowered):
            return key
    return None


def _document() -> Dict[str, str]:
    meta = next(iter(read_all())).document
    return {"date": str(meta["date"]), "issuer_en": data().issuer_en}


def cites_line(key: str) -> str:
    number = {value: number for number, value in _numbers().items()}[key]
    return data().cites.format(number=number, title=data().titles[key], **_document())


def not_covered_text() -> str:
    return data().not_covered.format(**_document())
