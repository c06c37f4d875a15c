"""Eligibility facts stated in English: "We are a financing guarantee company, the fee rate is 1%,
credit counter-guarantee, the borrower is a provincial specialised SME" → the same fact names and
values as knowledge.facts reads from Chinese (applicant_role guarantee_institution, …).

Investors and partners write in English (第3条); the checks must not lose what they say. The phrases
are data (knowledge/data/english.yaml: ``facts``, ``honours``, ``negation``, ``rate_bounds``). Reading
is deliberately careful: a negated phrase can fail a condition but never meet one, a phrase in a
clause of doubt says nothing, and another person named as the legal representative never makes the
speaker one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Tuple

import yaml

from knowledge import statements
from knowledge.english import ENGLISH_FILE

_CLAUSE_BREAK = re.compile(r"[.;!?\n]+|\bbut\b|\bhowever\b|\bwhereas\b|\bthough\b")
_CONTRACTIONS = (("n't", " not"), ("'m", " am"), ("'re", " are"), ("'ve", " have"), ("'s", " is"), ("'d", " would"))
_RATE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b|pct\b)")
_SOMEONE_ELSE_REPRESENTS = (
    re.compile(r"\blegal (?:representative|person|rep) (?:is|was) (?!me\b|myself\b|i\b|i am\b)"),
    re.compile(r"\b(?:my|our|his|her|their) \w+(?: \w+)? (?:is|was) (?:the |our )?legal (?:representative|person|rep)"),
    re.compile(r"\bsomeone else is (?:the )?legal"),
)


@dataclass(frozen=True)
class EnglishFactWords:
    # fact → ((phrase, value), …), in the order of the data
    facts: Dict[str, Tuple[Tuple[str, Any], ...]]
    honour_words: Tuple[str, ...]
    levels: Tuple[Tuple[str, str], ...]  # (phrase, level)
    no_honour: Tuple[str, ...]
    strong_personal: Tuple[str, ...]
    personal: Tuple[str, ...]
    company: Tuple[str, ...]
    negators: Tuple[str, ...]
    not_negators: Tuple[str, ...]
    uncertain: Tuple[str, ...]
    reach: int
    at_most: Tuple[str, ...]
    above: Tuple[str, ...]
    money_units: Dict[str, float]


def _phrases(raw: Any) -> Tuple[str, ...]:
    return tuple(prepare(str(item)) for item in raw or ())


@lru_cache(maxsize=1)
def words() -> EnglishFactWords:
    raw = yaml.safe_load(ENGLISH_FILE.read_text(encoding="utf-8"))
    honours = raw.get("honours") or {}
    negation = raw.get("negation") or {}
    bounds = raw.get("rate_bounds") or {}
    return EnglishFactWords(
        facts={
            fact: tuple((prepare(str(phrase)), value) for value, phrases in values.items() for phrase in phrases)
            for fact, values in (raw.get("facts") or {}).items()
        },
        honour_words=_phrases(honours.get("words")),
        levels=tuple((prepare(str(p)), level) for level, items in (honours.get("levels") or {}).items() for p in items),
        no_honour=_phrases(honours.get("none")),
        strong_personal=_phrases(honours.get("strong_personal")),
        personal=_phrases(honours.get("personal")),
        company=_phrases(honours.get("company")),
        negators=_phrases(negation.get("negators")),
        not_negators=_phrases(negation.get("not_negators")),
        uncertain=_phrases(negation.get("uncertain")),
        reach=int(negation.get("reach", 4)),
        at_most=_phrases(bounds.get("at_most")),
        above=_phrases(bounds.get("above")),
        money_units={str(unit).lower(): float(value) for unit, value in (raw.get("money_units") or {}).items()},
    )


def prepare(text: str) -> str:
    """Lower case, contractions spelled out, hyphens, quotes and commas as spaces, one space apart."""
    lowered = str(text).lower().replace("’", "'").replace("‘", "'")
    for short, long in _CONTRACTIONS:
        lowered = lowered.replace(short, long)
    lowered = re.sub(r"[-_\"“”'(),:/]", " ", lowered)
    return re.sub(r"[ \t]+", " ", lowered).strip()


def _find(text: str, phrase: str) -> List[int]:
    return [m.start() for m in re.finditer(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text)] if phrase else []


def _clause_of(text: str, position: int) -> Tuple[int, int]:
    start, end = 0, len(text)
    for match in _CLAUSE_BREAK.finditer(text):
        if match.end() <= position:
            start = match.end()
        elif match.start() >= position:
            end = match.start()
            break
    return start, end


def _has(text: str, phrases: Tuple[str, ...]) -> bool:
    return any(_find(text, phrase) for phrase in phrases)


def _negated_before(clause_text: str, reach: int | None = None) -> bool:
    """A negator among the last ``reach`` words before the phrase ("we are not a …")."""
    for guard in words().not_negators:
        clause_text = clause_text.replace(guard, " ")
    recent = clause_text.split()[-(reach or words().reach) :]
    return any(word in words().negators for word in recent)


def reading(text: str, start: int, phrase: str) -> str:
    """ "affirmed", "negated" or "question" (a clause of doubt) for the phrase at ``start``."""
    clause_start, clause_end = _clause_of(text, start)
    clause = text[clause_start:clause_end]
    if _has(clause, words().uncertain):
        return "question"
    if phrase.split()[0] in words().negators:
        return "affirmed"  # "no collateral", "without mortgage": the phrase carries its negation
    if _negated_before(text[clause_start:start]):
        return "negated"
    after = text[start + len(phrase) : clause_end].split()
    if after and after[-1] in ("not", "no", "never", "none") and len(after) <= 3:
        return "negated"  # "provincial honour: none", "legal representative i am not"
    return "affirmed"


def _category(text: str, fact: str) -> Any:
    affirmed: List[Tuple[int, int, Any]] = []
    negated: List[Tuple[int, Any]] = []
    found = [(start, phrase, value) for phrase, value in words().facts.get(fact, ()) for start in _find(text, phrase)]
    for start, phrase, value in found:
        inside = any(
            other_start <= start and start + len(phrase) <= other_start + len(other) and len(other) > len(phrase)
            for other_start, other, _ in found
        )
        if inside:
            continue
        how = reading(text, start, phrase)
        if how == "affirmed":
            affirmed.append((start, -len(phrase), value))
        elif how == "negated":
            negated.append((start, value))
    if affirmed:
        return min(affirmed, key=lambda item: (item[0], item[1]))[2]
    if not negated:
        return None
    value = min(negated, key=lambda item: item[0])[1]
    if isinstance(value, bool):
        return False if value is True else None
    return statements.NOT_PREFIX + str(value)


def _rate(text: str) -> Any:
    for match in _RATE.finditer(text):
        before = text[max(0, match.start() - 20) : match.start()]
        clause_start, _ = _clause_of(text, match.start())
        if _negated_before(text[clause_start : match.start()], reach=2) and not _has(before, words().at_most):
            continue  # "not 1.5%": the rate said next is the one
        value = float(match.group(1))
        if _has(before, words().at_most):
            return f"{statements.AT_MOST_PREFIX}{_number(value)}"
        if _has(before, words().above):
            return f"{statements.ABOVE_PREFIX}{_number(value)}"
        return value
    return None


def _number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _amount(text: str) -> float | None:
    units = "|".join(sorted((re.escape(unit) for unit in words().money_units), key=len, reverse=True))
    pattern = re.compile(
        rf"(?:(?:rmb|cny|¥)\s*)?(\d+(?:\.\d+)?)\s*({units})?\b\s*(yuan|rmb|cny)?(?!\s*(?:%|percent|per cent))"
    )
    for match in pattern.finditer(text):
        number, unit, currency = match.groups()
        prefixed = bool(re.search(r"(?:rmb|cny|¥)\s*$", text[max(0, match.start() - 5) : match.start() + 4]))
        if not (unit or currency or prefixed):
            continue
        value = float(number) * words().money_units.get(unit or "", 1.0)
        if 0 < value < 1e13:
            return value
    return None


def _honours(text: str, found: Dict[str, Any]) -> None:
    personal_values: List[Any] = []
    company_levels: List[Any] = []
    for clause in _CLAUSE_BREAK.split(text):
        if not _has(clause, words().honour_words) and not _has(clause, words().no_honour):
            continue
        if _has(clause, words().uncertain):
            continue
        if "specialized" in clause or "specialised" in clause or "srdi" in clause:
            continue  # a qualification's level, not an honour
        levels = sorted((start, level) for phrase, level in words().levels for start in _find(clause, phrase))
        level: Any = levels[0][1] if levels else None
        negated = _has(clause, words().no_honour) or _negated_before(
            clause[: min((s for w in words().honour_words for s in _find(clause, w)), default=len(clause))]
        )
        if negated:
            level = "none" if level is None else statements.NOT_PREFIX + str(level)
        subject = _honour_subject(clause)
        if subject == "personal":
            personal_values.append(True if level == "province" else (None if level is None else False))
        elif subject == "company" and level is not None:
            company_levels.append(level)
    stated = [value for value in personal_values if value is not None]
    if stated:
        found["personally_recognized"] = True if True in stated else stated[0]
    if company_levels:
        found["honour_level"] = "province" if "province" in company_levels else company_levels[0]
        if not personal_values and found["honour_level"] in ("city", "county", "national"):
            found["personally_recognized"] = False


def _honour_subject(clause: str) -> str | None:
    """ "personal" or "company": a strong personal word ("personally"), else the subject nearest
    before the first honour word, else the first after it."""
    if _has(clause, words().strong_personal):
        return "personal"
    first = min((s for w in words().honour_words for s in _find(clause, w)), default=len(clause))
    subjects = sorted(
        [(start, "personal") for phrase in words().personal for start in _find(clause, phrase)]
        + [(start, "company") for phrase in words().company for start in _find(clause, phrase)]
    )
    before = [subject for start, subject in subjects if start < first]
    after = [subject for start, subject in subjects if start >= first]
    return before[-1] if before else (after[0] if after else None)


def extract_english_facts(text: str) -> Dict[str, Any]:
    """Every eligibility fact an English message states, as knowledge.facts.extract_facts names them."""
    prepared = prepare(text or "")
    if not prepared:
        return {}
    found: Dict[str, Any] = {}
    for fact in words().facts:
        value = _category(prepared, fact)
        if value is not None:
            found[fact] = value
    if found.get("is_legal_representative") is True and any(p.search(prepared) for p in _SOMEONE_ELSE_REPRESENTS):
        del found["is_legal_representative"]
    rate = _rate(prepared)
    if rate is not None:
        found["guarantee_fee_rate"] = rate
    amount = _amount(_RATE.sub(" ", prepared))
    if amount is not None:
        found["loan_amount"] = amount
    _honours(prepared, found)
    return found
