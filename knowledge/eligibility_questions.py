"""Is a message an eligibility question, and about which rule? (data: eligibility_questions.yaml)

"X我能办吗", "我们这种情况能拿吗", "那我能办吗": a cue word and a first person (or a short bare
cue) make a message a check question whatever the classifier says; the programme is the one the
message names (a rule's ``names``), else the one under discussion, else the one its facts belong to
(反担保 → 担保费补贴, 法定代表人 → 徽商服务卡).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Iterable, Mapping, Tuple

import yaml

from knowledge.eligibility import rules, rules_for_measure
from knowledge.english import asks_eligibility_in_english, english_rule, is_english
from knowledge.english import speaks_of_self as english_speaks_of_self
from knowledge.paths import DATA_DIR
from knowledge.textnorm import normalise

QUESTIONS_FILE = DATA_DIR / "eligibility_questions.yaml"


@dataclass(frozen=True)
class QuestionWords:
    cues: Tuple[str, ...]
    patterns: Tuple[re.Pattern, ...]
    first_person: Tuple[str, ...]
    short_question: int
    which_measures: Tuple[str, ...]
    not_a_check: Tuple[str, ...]
    question_marks: Tuple[str, ...]
    rule_facts: Dict[str, str]


@lru_cache(maxsize=1)
def words() -> QuestionWords:
    raw = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))
    return QuestionWords(
        cues=tuple(normalise(cue) for cue in raw["cues"]),
        patterns=tuple(re.compile(pattern) for pattern in raw.get("patterns") or ()),
        first_person=tuple(normalise(word) for word in raw["first_person"]),
        short_question=int(raw["short_question"]),
        which_measures=tuple(normalise(word) for word in raw["which_measures"]),
        not_a_check=tuple(normalise(word) for word in raw.get("not_a_check") or ()),
        question_marks=tuple(normalise(str(word)) for word in raw.get("question_marks") or ()),
        rule_facts=dict(raw["rule_facts"]),
    )


def asks_eligibility(text: str) -> bool:
    """True for "徽商服务卡我能办吗", "我们这种情况能拿吗", "那我能办吗"; False for "谁能办",
    "有哪些政策我们能享受" (matching) and questions without a cue."""
    if is_english(text or ""):
        return asks_eligibility_in_english(text)
    prepared = normalise(text or "")
    if not prepared or prepared.startswith("/"):
        return False
    if not any(cue in prepared for cue in words().cues) and not any(
        pattern.search(prepared) for pattern in words().patterns
    ):
        return False
    if any(word in prepared for word in words().which_measures + words().not_a_check):
        return False
    if any(word in prepared for word in words().first_person):
        return True
    return len(prepared) <= words().short_question


def is_question(text: str) -> bool:
    prepared = normalise(text or "")
    if is_english(prepared):
        return "?" in prepared or bool(_ENGLISH_QUESTION.match(prepared.lower()))
    return any(mark in prepared for mark in words().question_marks)


_ENGLISH_QUESTION = re.compile(
    r"\s*(?:can|could|are|is|am|do|does|did|what|how|which|who|whom|whether|would|will|may|should|where|when|why)\b"
)


def speaks_of_self(text: str) -> bool:
    """The message is in the first person: "我们…", "本公司…", "we", "our", "I"."""
    if is_english(text or ""):
        return english_speaks_of_self(text)
    prepared = normalise(text or "")
    return any(word in prepared for word in words().first_person)


def named_rule(text: str) -> str | None:
    """The rule whose programme the message names ("降费奖补" → guarantee_fee_reduction_award, "the
    Huishang card" → huishang_service_card)."""
    if is_english(text or ""):
        return english_rule(text)
    prepared = normalise(text or "")
    best: Tuple[int, str] | None = None
    for key, rule in rules().items():
        for name in rule.names:
            if name and name in prepared and (best is None or len(name) > best[0]):
                best = (len(name), key)
    return best[1] if best else None


def rule_of_facts(facts: Iterable[str]) -> str | None:
    """The rule the stated facts belong to, when they point to exactly one."""
    found = {words().rule_facts[name] for name in facts if name in words().rule_facts}
    return found.pop() if len(found) == 1 else None


def rule_for_measure(number: int, facts: Mapping[str, Any], preferred: str | None = None) -> str | None:
    """The rule to check for measure ``number``: the only one, or among several (第10条 has two)
    the preferred one (named, or the classifier's), else the one the facts point to, else the first."""
    candidates = [rule.key for rule in rules_for_measure(number)]
    if not candidates:
        return None
    if preferred in candidates:
        return preferred
    by_facts = rule_of_facts(name for name, value in facts.items() if value is not None)
    if by_facts in candidates:
        return by_facts
    return candidates[0]
