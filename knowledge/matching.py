"""Policy matching (政策找企业): the measures that fit an enterprise profile, ranked, each with
its reason and citation. Signals and vocabulary are data (``data/matching.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Mapping, Set, Tuple

import yaml

from knowledge.card import AnswerCard, citation_label
from knowledge.eligibility import coerce_fact
from knowledge.facts import extract_facts, prepare_text
from knowledge.paths import DATA_DIR
from knowledge.source_data import read_all

MATCHING_FILE = DATA_DIR / "matching.yaml"
LIST_FIELDS = ("qualifications", "plans", "industries")
SCALAR_FIELDS = ("role", "ownership", "honour_level", "personally_recognized")
# Other names callers use for the same profile fields (slot names, singular forms).
FIELD_ALIASES = {
    "applicant_role": "role",
    "qualification": "qualifications",
    "borrower_qualification": "qualifications",
    "plan": "plans",
    "industry": "industries",
}
FACT_OF_FIELD = {"role": "applicant_role", "ownership": "ownership", "honour_level": "honour_level"}


@dataclass(frozen=True)
class Match:
    """One measure for a profile. ``reason`` is the plain reason text (the caller adds the
    citation, e.g. ``f"{m.citation}·{m.title}：{m.reason}"``); ``reasons`` its parts."""

    number: int
    key: str
    title: str
    reason: str
    score: float
    reasons: Tuple[str, ...] = ()

    @property
    def citation(self) -> str:
        return citation_label(self.number)


@dataclass
class Profile:
    role: str | None = None
    ownership: str | None = None
    honour_level: str | None = None
    personally_recognized: bool | None = None
    qualifications: Set[str] = field(default_factory=set)
    plans: Set[str] = field(default_factory=set)
    industries: Set[str] = field(default_factory=set)
    unrecognised: List[str] = field(default_factory=list)

    def has(self, name: str, expected: Any) -> bool:
        value = getattr(self, name)
        if name in LIST_FIELDS:
            wanted = expected if isinstance(expected, list) else [expected]
            return any(item in value for item in wanted)
        if isinstance(expected, list):
            return value in expected
        return value == expected

    def describe(self) -> str:
        vocab = _vocabulary()
        parts = []
        for name in LIST_FIELDS:
            labels = [vocab[name][value]["label"] for value in sorted(getattr(self, name))]
            if labels:
                parts.append("、".join(labels))
        return "；".join(parts)


@dataclass(frozen=True)
class Signal:
    measure: int
    when: Mapping[str, Any]
    weight: float
    reason: str


@lru_cache(maxsize=1)
def _raw() -> Dict[str, Any]:
    return yaml.safe_load(MATCHING_FILE.read_text(encoding="utf-8"))


def _vocabulary() -> Dict[str, Dict[str, Dict[str, Any]]]:
    return _raw()["vocabulary"]


@lru_cache(maxsize=1)
def signals() -> Tuple[Signal, ...]:
    return tuple(Signal(s["measure"], s["when"], float(s["weight"]), s["reason"]) for s in _raw()["signals"])


@lru_cache(maxsize=1)
def _measures() -> Dict[int, Tuple[str, str]]:
    """Number → (key, title), from the policy data."""
    return {m["number"]: (m["key"], m["title"]) for document in read_all() for m in document.measures}


@lru_cache(maxsize=1)
def _words(name: str) -> Tuple[Tuple[str, str], ...]:
    """(normalised word, value) for one list field, longest word first."""
    pairs = []
    for value, spec in _vocabulary()[name].items():
        for word in [value, spec["label"], *spec.get("words", [])]:
            pairs.append((prepare_text(word), value))
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _values_in(text: str, name: str) -> Set[str]:
    """Every value of a list field named in ``text``; a longer word hides the shorter ones inside it."""
    found: Set[str] = set()
    taken = [False] * len(text)
    for word, value in _words(name):
        start = text.find(word)
        while start >= 0:
            span = range(start, start + len(word))
            if not any(taken[i] for i in span):
                found.add(value)
                for i in span:
                    taken[i] = True
            start = text.find(word, start + 1)
    return found


def _as_list(value: Any) -> List[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def read_profile(profile: Mapping[str, Any] | str) -> Profile:
    """A Profile from a dict (canonical values or words: {"plans": ["技改"]}) or from free text."""
    if isinstance(profile, str):
        return profile_from_text(profile)
    result = Profile()
    for raw_name, value in profile.items():
        name = FIELD_ALIASES.get(raw_name, raw_name)
        if name == "text":
            _merge(result, profile_from_text(str(value)))
        elif name in LIST_FIELDS:
            for item in _as_list(value):
                text = prepare_text(str(item))
                values = {text} if text in _vocabulary()[name] else _values_in(text, name)
                if name == "qualifications" and item == "none":
                    continue
                if values:
                    getattr(result, name).update(values)
                else:
                    result.unrecognised.append(f"{raw_name}={item}")
        elif name in SCALAR_FIELDS:
            fact = FACT_OF_FIELD.get(name, name)
            coerced = coerce_fact(fact, value)
            if coerced is None:
                result.unrecognised.append(f"{raw_name}={value}")
            else:
                setattr(result, name, coerced)
        elif value not in (None, ""):
            result.unrecognised.append(f"{raw_name}={value}")
    return result


def _merge(into: Profile, other: Profile) -> None:
    for name in SCALAR_FIELDS:
        if getattr(into, name) is None:
            setattr(into, name, getattr(other, name))
    for name in LIST_FIELDS:
        getattr(into, name).update(getattr(other, name))


def profile_from_text(text: str) -> Profile:
    """A Profile from what an entrepreneur writes: "我们是专精特新企业，想做技改和数字化"."""
    prepared = prepare_text(text or "")
    facts = extract_facts(text or "")
    profile = Profile(
        role=facts.get("applicant_role"),
        ownership=facts.get("ownership"),
        honour_level=facts.get("honour_level"),
        personally_recognized=facts.get("personally_recognized"),
    )
    for name in LIST_FIELDS:
        getattr(profile, name).update(_values_in(prepared, name))
    if facts.get("borrower_qualification") == "none":
        profile.qualifications.discard("provincial_specialized_sme")
    return profile


def _fits(signal: Signal, profile: Profile) -> bool:
    return all(profile.has(name, expected) for name, expected in signal.when.items())


def match(profile: Mapping[str, Any] | str | Profile, limit: int | None = None) -> List[Match]:
    """The measures for ``profile``, best first, each with its reason, citation and score.

    Without a role the profile counts as an enterprise's. Unrecognised values are ignored (see
    ``read_profile(profile).unrecognised``).
    """
    read = profile if isinstance(profile, Profile) else read_profile(profile)
    if read.role is None:
        read = Profile(**{**read.__dict__, "role": "enterprise"})
    found: Dict[int, List[Signal]] = {}
    for signal in signals():
        if _fits(signal, read):
            found.setdefault(signal.measure, []).append(signal)
    measures = _measures()
    matches = []
    for number, fitting in found.items():
        fitting.sort(key=lambda s: -s.weight)
        key, title = measures[number]
        reasons = tuple(dict.fromkeys(s.reason for s in fitting))
        reason = "；".join(reasons)
        matches.append(Match(number, key, title, reason, round(sum(s.weight for s in fitting), 2), reasons))
    matches.sort(key=lambda m: (-m.score, m.number))
    return matches[:limit] if limit else matches


def match_text(matches: Iterable[Match]) -> str:
    """Matches as chat text, one line per measure, each citing 第N条 (the reply of action_match_policies;
    when nothing matches, the action says so with a fixed response of domain.yml instead)."""
    found = list(matches)
    if not found:
        raise ValueError("match_text needs at least one match")
    lines = ["根据您描述的情况，以下条款可能与您有关："]
    # The reason already names its measure (第N条：…) when it comes from a rule of matching.yaml.
    lines += [f"• {m.reason}" if m.citation in m.reason else f"• {m.citation}：{m.reason}" for m in found]
    cited = "、".join(m.citation for m in found)
    lines.append(f"点选一项可查看详细内容。（依据：《若干意见》实施意见{cited}）")
    return "\n".join(lines)


def match_card(
    matches: List[Match], source: Dict[str, str] | None = None, confidence: float | None = None
) -> AnswerCard:
    return AnswerCard(kind="match", citations=[m.number for m in matches], source=source, confidence=confidence)
