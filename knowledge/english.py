"""English questions: which measure an English message is about, and the English lines of the reply.

The NLU is trained on Chinese; jieba splits English into words and the classifier's guess on
them is noise. So an English message is recognised here (no Chinese characters, Latin words) and
matched on English keywords per measure (knowledge/data/english.yaml, whole words, longest
first, or "article 13"); the reply is the measure's Chinese answer with an English line saying
what it cites, or, with no measure found, an English reply saying what the assistant covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
    # Eligibility in English: the cues of "can we get it?", the first person, the rules' names.
    eligibility_cues: Tuple[str, ...] = ()
    eligibility_patterns: Tuple[re.Pattern, ...] = ()
    first_person: Tuple[str, ...] = ()
    rule_names: Tuple[Tuple[str, str], ...] = ()  # (name, rule key), longest first
    rule_titles: Dict[str, str] = field(default_factory=dict)
    verdicts: Dict[str, str] = field(default_factory=dict)
    fact_labels: Dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def data() -> EnglishData:
    raw = yaml.safe_load(ENGLISH_FILE.read_text(encoding="utf-8"))
    pairs = [(str(word).lower(), key) for key, spec in raw["measures"].items() for word in spec["keywords"]]
    pairs.sort(key=lambda pair: -len(pair[0]))
    names = [(str(name).lower(), key) for key, spec in (raw.get("rules") or {}).items() for name in spec["names"]]
    names.sort(key=lambda pair: -len(pair[0]))
    return EnglishData(
        keywords=tuple(pairs),
        titles={key: spec["title"] for key, spec in raw["measures"].items()},
        cites=raw["cites"],
        not_covered=" ".join(str(raw["not_covered"]).split()),
        issuer_en=raw["issuer_en"],
        eligibility_cues=tuple(str(cue).lower() for cue in raw.get("eligibility_cues") or ()),
        eligibility_patterns=tuple(re.compile(str(item)) for item in raw.get("eligibility_patterns") or ()),
        first_person=tuple(str(word).lower() for word in raw.get("first_person") or ()),
        rule_names=tuple(names),
        rule_titles={key: spec["title"] for key, spec in (raw.get("rules") or {}).items()},
        verdicts=dict(raw.get("verdicts") or {}),
        fact_labels=dict(raw.get("fact_labels") or {}),
    )


def _contains(lowered: str, phrase: str) -> bool:
    return bool(re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", lowered))


def _lowered(text: str) -> str:
    return (text or "").lower().replace("’", "'")


def speaks_of_self(text: str) -> bool:
    """ "we", "our", "I": an English message about the asker."""
    lowered = _lowered(text)
    return any(_contains(lowered, word) for word in data().first_person)


def asks_eligibility_in_english(text: str) -> bool:
    """ "Are we eligible for …", "Can I get the Huishang card?": a cue and the first person."""
    if not is_english(text):
        return False
    lowered = _lowered(text)
    if any(pattern.search(lowered) for pattern in data().eligibility_patterns):
        return True
    return any(_contains(lowered, cue) for cue in data().eligibility_cues) and speaks_of_self(text)


def english_rule(text: str) -> str | None:
    """The eligibility rule an English message names ("the fee reduction award" → its key)."""
    lowered = _lowered(text)
    return next((key for name, key in data().rule_names if _contains(lowered, name)), None)


def verdict_line(rule_key: str, number: int, verdict: str, failed: str = "", missing: str = "") -> str:
    """The English line under a verdict given to an English message."""
    template = data().verdicts[verdict]
    title = data().rule_titles.get(rule_key, rule_key)
    return template.format(number=number, title=title, failed=failed, missing=missing)


def fact_label(name: str) -> str:
    return data().fact_labels.get(name, name)


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
