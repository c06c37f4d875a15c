"""Eligibility facts in free text: rates, amounts and the categorical facts of one message.

``parse_rate`` and ``parse_amount`` read the many ways people write a guarantee fee rate or a
loan amount; ``extract_facts`` returns every fact a message states, keyed by fact name (the
Rasa slot names). The words are data: ``data/facts.yaml``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Tuple

import yaml

from knowledge import statements
from knowledge.english import is_english
from knowledge.english_facts import extract_english_facts
from knowledge.paths import DATA_DIR
from knowledge.textnorm import normalise

FACTS_FILE = DATA_DIR / "facts.yaml"

_NUMBER = r"\d+(?:\.\d+)?"
# Thousands separators only between digit groups ("5,000,000"), never a list comma ("1,2").
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")

# Rate spellings, most explicit first; each maps the match to a value in percent.
_RATE_PATTERNS: List[Tuple[re.Pattern, Any]] = [
    (re.compile(rf"千分之\s*({_NUMBER})"), lambda m: float(m.group(1)) / 10),
    (re.compile(rf"百分之\s*({_NUMBER})"), lambda m: float(m.group(1))),
    (re.compile(rf"({_NUMBER})\s*(?:%|％|个百分点|百分点)"), lambda m: float(m.group(1))),
    # 一个点二 → "1个点2" = 1.2; 1个点 = 1.0
    (re.compile(r"(\d+)\s*个?点\s*(\d+)(?![\d.万元亿])"), lambda m: float(f"{m.group(1)}.{m.group(2)}")),
    (re.compile(rf"({_NUMBER})\s*个点"), lambda m: float(m.group(1))),
    (re.compile(r"(\d+)\s*厘"), lambda m: float(m.group(1)) / 10),
]
# A bare number below this is a fraction (0.012 → 1.2%); at or above it, already percent.
# No guarantee fee is 10% a year, and nobody writes 0.8% as "0.008" less than as "0.8".
_FRACTION_BELOW = 0.1
_BARE_NUMBER = re.compile(rf"(?<![\d.])({_NUMBER})(?![\d.])")
_MONEY_UNITS = {"亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "w": 1e4, "W": 1e4, "千": 1e3, "k": 1e3, "K": 1e3}
_AMOUNT = re.compile(rf"({_NUMBER})\s*(亿|千万|百万|万|w|W|千|k|K)?\s*(元|块|人民币)?")


# Facts are stated in a sentence or two; longer input is cut here so a pasted novel cannot make
# normalisation and matching slow.
MAX_TEXT = 1000
# A rate is a percentage; an amount a positive number of yuan below 10万亿 (anything else is a typo).
MAX_RATE = 100.0
MAX_AMOUNT = 1e13


def prepare_text(text: str) -> str:
    return _THOUSANDS.sub("", normalise(str(text)[:MAX_TEXT]))


def _valid_rate(value: float | None) -> float | None:
    if value is None or not math.isfinite(value) or not 0 <= value <= MAX_RATE:
        return None
    return value


def _valid_amount(value: float | None) -> float | None:
    if value is None or not math.isfinite(value) or not 0 < value < MAX_AMOUNT:
        return None
    return value


def _rate_in(text: str) -> Tuple[float, Tuple[int, int]] | None:
    for pattern, convert in _RATE_PATTERNS:
        match = pattern.search(text)
        if match:
            return round(convert(match), 6), match.span()
    return None


def parse_rate(text: str | float | int | None) -> float | None:
    """A rate in percent: "1.2%", "百分之一点二", "千分之十二", "0.012", "一个点二" → 1.2.

    A bare number is taken as a fraction when below 0.1 (0.012 → 1.2) and as percent otherwise
    (1.2 → 1.2). Returns None when the text holds no rate.
    """
    return _valid_rate(_parse_rate(text))


def _parse_rate(text: str | float | int | None) -> float | None:
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        value = float(text)
        return round(value * 100, 6) if 0 < value < _FRACTION_BELOW else value
    prepared = prepare_text(text)
    found = _rate_in(prepared)
    if found:
        return found[0]
    numbers = [m for m in _BARE_NUMBER.finditer(prepared) if not _is_money(prepared, m.end())]
    if len(numbers) != 1:
        return None
    value = float(numbers[0].group(1))
    return round(value * 100, 6) if 0 < value < _FRACTION_BELOW else value


def _is_money(text: str, end: int) -> bool:
    rest = text[end:].lstrip()
    return bool(rest) and (rest[0] in "万亿元块千百wWkK")


def _amount_matches(text: str) -> List[Tuple[float, bool, Tuple[int, int]]]:
    """(yuan, has_unit, span) for every number in ``text``."""
    found = []
    for match in _AMOUNT.finditer(text):
        number, unit, currency = match.groups()
        value = float(number) * _MONEY_UNITS.get(unit or "", 1.0)
        found.append((value, bool(unit or currency), match.span()))
    return found


def parse_amount(text: str | float | int | None) -> float | None:
    """An amount in yuan: "500万", "五百万元", "5000000", "1.5亿", "500w" → float.

    Prefers a number with a unit (万/亿/元…); a single bare number counts as yuan. Numbers that
    are rates ("1.2%") are ignored. Returns None when the text holds no amount.
    """
    return _valid_amount(_parse_amount(text))


def _parse_amount(text: str | float | int | None) -> float | None:
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return float(text)
    prepared = prepare_text(text)
    rate = _rate_in(prepared)
    candidates = [item for item in _amount_matches(prepared) if not (rate and _overlaps(item[2], rate[1]))]
    with_unit = [item for item in candidates if item[1]]
    if with_unit:
        return with_unit[0][0]
    if len(candidates) == 1:
        return candidates[0][0]
    return None


def _overlaps(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# --- the vocabulary --------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: Any
    title: str


@dataclass(frozen=True)
class FactDefinition:
    name: str
    type: str  # category | bool | rate | amount
    label: str
    question: str
    value_labels: Dict[Any, str] = field(default_factory=dict)
    # (normalised keyword, value), longest keyword first
    keywords: Tuple[Tuple[str, Any], ...] = ()
    cues: Tuple[str, ...] = ()
    options: Tuple[Option, ...] = ()

    def describe(self, value: Any) -> str:
        """How a value reads in an answer: 1.2 → "1.2%", 5000000 → "500万元", credit → "信用"."""
        if value is None:
            return "未知"
        qualifier = statements.qualified(value)
        if qualifier is not None:
            prefix, bare = qualifier
            if prefix == statements.NOT_PREFIX:
                return "不是" + self.value_labels.get(_label_key(self.value_labels, bare), bare)
            word = "不超过" if prefix == statements.AT_MOST_PREFIX else "超过"
            return f"{word}{bare}%"
        if self.type == "rate":
            return f"{format_number(value)}%"
        if self.type == "amount":
            return format_yuan(value)
        return self.value_labels.get(value, str(value))


def _label_key(labels: Dict[Any, str], text: str) -> Any:
    return next((value for value in labels if str(value) == text), text)


@dataclass(frozen=True)
class Vocabulary:
    facts: Dict[str, FactDefinition]
    yes_words: Tuple[str, ...]
    no_words: Tuple[str, ...]


def _options(name: str, raw: Dict[str, Any], labels: Dict[Any, str]) -> Tuple[Option, ...]:
    if raw.get("options"):
        return tuple(Option(o["value"], o["title"]) for o in raw["options"])
    if raw["type"] == "bool":
        return (Option(True, "是"), Option(False, "否"))
    return tuple(Option(value, label) for value, label in labels.items())


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    raw = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))
    facts = {}
    for name, spec in raw["facts"].items():
        values = spec.get("values") or {}
        labels = {value: item["label"] for value, item in values.items()}
        keywords = [(normalise(word), value) for value, item in values.items() for word in item.get("keywords", [])]
        keywords.sort(key=lambda pair: -len(pair[0]))
        facts[name] = FactDefinition(
            name=name,
            type=spec["type"],
            label=spec["label"],
            question=spec["question"],
            value_labels=labels,
            keywords=tuple(keywords),
            cues=tuple(normalise(cue) for cue in spec.get("cues", [])),
            options=_options(name, spec, labels),
        )
    return Vocabulary(
        facts=facts,
        yes_words=tuple(normalise(w) for w in raw.get("yes_words", [])),
        no_words=tuple(normalise(w) for w in raw.get("no_words", [])),
    )


def fact_definitions() -> Dict[str, FactDefinition]:
    return vocabulary().facts


FACT_NAMES = (
    "applicant_role",
    "borrower_qualification",
    "guarantee_fee_rate",
    "counter_guarantee",
    "loan_amount",
    "serves_small_micro",
    "honour_level",
    "ownership",
    "is_legal_representative",
    "personally_recognized",
)


# "我们公司是担保公司", "不是抵押，是信用": what follows 是/作为 says what something is, so a keyword
# there wins over one that merely comes first. 不是 does not count.
_IS_MARKER = re.compile(r"(?:(?<!不)是|作为)[^,，。.;；!！?？、]{0,6}$")


# "法定代表人是我父亲", "法人是我们董事长": the message names who the legal representative is, and it is
# somebody else unless what follows 是 is the speaker ("法人是我", "法定代表人就是我本人"). Such a
# message must never make the speaker the legal representative: the fact stays unknown and is asked.
_SOMEONE_IS_REPRESENTATIVE = re.compile(
    r"(?:法定代表人|法人代表|法人)(?:就|也)?(?:是|为|系)(?!(?:我本人|我自己|本人|我)(?:$|[,，。.;；!！?？、\s]|就|也|啊|呀))"
)


def _stated_as_identity(text: str, position: int) -> bool:
    return bool(_IS_MARKER.search(text[max(0, position - 8) : position]))


def keyword_matches(text: str, definition: FactDefinition) -> List[Tuple[int, int, str, Any]]:
    """(start, end, keyword, value) for every keyword in ``text``, without the matches that lie
    inside a longer one ("抵押" inside "没有抵押", "专精特新" inside "专精特新小巨人")."""
    found = []
    for word, value in definition.keywords:
        position = text.find(word)
        while position >= 0:
            found.append((position, position + len(word), word, value))
            position = text.find(word, position + 1)
    return [
        match
        for match in found
        if not any(
            other[0] <= match[0] and match[1] <= other[1] and (other[1] - other[0]) > (match[1] - match[0])
            for other in found
        )
    ]


def keyword_value(text: str, definition: FactDefinition) -> Any:
    """The value a message states for one fact.

    Among the keywords stated (not negated, not in a question), one right after 是/作为 first,
    otherwise the earliest (the longest there). With none stated, a negated keyword: "no" for a
    yes/no fact ("本人没有…" → False), ``not:<value>`` for a category ("没有省里的表彰" →
    not:province), which can fail a condition but never meet one."""
    affirmed: List[Tuple[Tuple[bool, int, int], Any]] = []
    negated: List[Tuple[int, Any]] = []
    stop_words = all_keywords()
    for start, end, word, value in keyword_matches(text, definition):
        if statements.about_a_third_party(definition.name, word, text, start):
            continue
        # Inside another fact's longer keyword ("民营" in "优秀民营企业家没评上"), read as that keyword
        # is; negated, it denies the longer one (the honour), not this one (the company is still 民营).
        outer_start, outer_end = _enclosing_keyword(text, start, end)
        read = statements.reading(text, outer_start, text[outer_start:outer_end], stop_words)
        if read == "negated" and (outer_start, outer_end) != (start, end):
            continue
        if statements.keyword_negates_itself(word):
            # "不是法人" is a statement as it stands; "不是法人…不清楚" says nothing; "不是小微不对" is rare.
            how = "question" if read == "question" else "affirmed"
        else:
            how = read
        if how == "affirmed":
            affirmed.append(((not _stated_as_identity(text, start), start, -len(word)), value))
        elif how == "negated":
            negated.append((start, value))
    if affirmed:
        return min(affirmed, key=lambda item: item[0])[1]
    if not negated:
        return None
    value = min(negated, key=lambda item: item[0])[1]
    if definition.type == "bool":
        return False if value is True else None
    if value in _NO_VALUE:
        return None  # "不是没有荣誉": a double negative says nothing certain
    return statements.NOT_PREFIX + str(value)


@lru_cache(maxsize=1)
def all_keywords() -> Tuple[str, ...]:
    """Every keyword of every fact: a trailing negator cannot reach past one (statements.negated_after)."""
    return tuple(sorted({word for d in fact_definitions().values() for word, _value in d.keywords}, key=len))


def _enclosing_keyword(text: str, start: int, end: int) -> Tuple[int, int]:
    """The longest keyword of any fact in ``text`` that holds text[start:end] (itself if none)."""
    best = (start, end)
    for word in all_keywords():
        if len(word) <= best[1] - best[0]:
            continue
        position = text.find(word, max(0, end - len(word)))
        while 0 <= position <= start:
            if position + len(word) >= end:
                best = (position, position + len(word))
                break
            position = text.find(word, position + 1)
    return best


# Honours given by someone other than the province: named alone, they settle both honour facts.
_LESSER_LEVELS = ("city", "county", "national")
# Category values that already mean "none of them": negating them states nothing.
_NO_VALUE = ("none",)


def extract_facts(text: str) -> Dict[str, Any]:
    """Every eligibility fact stated in one message, e.g.
    "我们是担保公司，费率一点二个点，信用反担保，贷款五百万" →
    {applicant_role: guarantee_institution, guarantee_fee_rate: 1.2, counter_guarantee: credit,
    loan_amount: 5000000.0}. Negations count: "我不是法人" → is_legal_representative False."""
    if is_english(text or ""):
        return extract_english_facts(text)
    prepared = prepare_text(text or "")
    if not prepared:
        return {}
    corrected = statements.correction_at(prepared)
    if corrected is not None and corrected > 0:
        return _corrected(prepared, corrected)
    return _facts_of(prepared)


def _corrected(prepared: str, at: int) -> Dict[str, Any]:
    """ "费率1.5%，不对，说错了，是1.2%": what follows the correction replaces what came before it. A
    fact the correction names again, even to leave it unknown ("我是法人，不对，法人是我爱人"), loses
    its earlier value; a correction that names none of the facts said before ("…是省级专精特新，不对，
    是市级的") takes back the clause just before it, whose facts are then unknown (and asked)."""
    before, after = prepared[:at], prepared[at:]
    earlier = _facts_of(before, prepared)
    later = _facts_of(after, prepared)
    named_again = {name for name, definition in fact_definitions().items() if _names(after, definition)}
    if not (named_again | set(later)) & set(earlier):
        last_clause = (statements.clauses(before) or [""])[-1]
        named_again |= set(_facts_of(last_clause, prepared))
    kept = {name: value for name, value in earlier.items() if name not in named_again}
    return {**kept, **later}


def named_but_unknown(text: str) -> Tuple[str, ...]:
    """The facts a message names without stating a value: "法人是我父亲", "是不是法人我不清楚", "不对，
    法人不是…我也说不准". A conversation forgets what an earlier message said of them (it was taken
    back or put in doubt), so the check asks again instead of keeping a value in the asker's favour.
    After a correction only what follows it counts; general words (企业, 公司) name nothing."""
    prepared = prepare_text(text or "")
    corrected = statements.correction_at(prepared)
    part = prepared[corrected:] if corrected is not None else prepared
    stated = extract_facts(text)
    weak = statements.words().weak_keywords
    return tuple(
        name
        for name, definition in fact_definitions().items()
        if name not in stated
        and definition.type in ("bool", "category")
        and any(word not in weak.get(name, ()) for _s, _e, word, _v in keyword_matches(part, definition))
    )


def _names(text: str, definition: FactDefinition) -> bool:
    """Whether ``text`` names the fact at all: one of its keywords, or its rate or amount."""
    if definition.type == "rate":
        return _stated_rate(text) is not None
    if definition.type == "amount":
        return _amount_in_message(text, definition.cues, None) is not None
    return bool(keyword_matches(text, definition))


def _facts_of(prepared: str, message: str | None = None) -> Dict[str, Any]:
    """The facts of ``prepared``, a message or the part of one around a correction (``message``: the
    whole message, which says whether a level word is a qualification's or an honour's)."""
    if not prepared:
        return {}
    found: Dict[str, Any] = {}
    rate_span: Tuple[int, int] | None = None
    for name, definition in fact_definitions().items():
        if definition.type == "rate":
            rate = _stated_rate(prepared)
            if rate is None and any(cue in prepared for cue in definition.cues):
                value = _rate_after_cue(prepared, definition.cues)
                rate = (value, (0, 0)) if value is not None else None
            if rate is not None and _valid_rate(_bound_value(rate[0])) is not None:
                found[name] = rate[0]
                rate_span = rate[1]
        elif definition.type == "amount":
            continue  # after the rate, so the rate's number is not taken for an amount
        else:
            value = keyword_value(prepared, definition)
            if value is not None:
                found[name] = value
    if found.get("is_legal_representative") is True and _SOMEONE_IS_REPRESENTATIVE.search(prepared):
        del found["is_legal_representative"]
    for name, definition in fact_definitions().items():
        if definition.type == "amount":
            amount = _valid_amount(_amount_in_message(prepared, definition.cues, rate_span))
            if amount is not None:
                found[name] = amount
    return _honours(prepared, found, message or prepared)


def _bound_value(value: Any) -> float | None:
    parsed = statements.qualified(value)
    try:
        return float(parsed[1]) if parsed else float(value)
    except (TypeError, ValueError):
        return None


def _stated_rate(text: str) -> Tuple[Any, Tuple[int, int]] | None:
    """The rate a message states: the first one not negated ("不是1.2%，是1.5%" → 1.5), as a bound
    when it is one ("不超过1.2%" → at_most:1.2)."""
    candidates: List[Tuple[float, Tuple[int, int]]] = []
    for pattern, convert in _RATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(_overlaps(match.span(), other[1]) for other in candidates):
                continue
            candidates.append((round(convert(match), 6), match.span()))
    candidates.sort(key=lambda item: item[1][0])
    stated = [
        item for item in candidates if statements.reading(text, item[1][0], text[item[1][0] : item[1][1]]) != "negated"
    ]
    chosen = (stated or [])[:1]
    if not chosen:
        return None
    value, span = chosen[0]
    bound = statements.rate_bound(text, span[0], span[1])
    if bound == "at_most":
        return f"{statements.AT_MOST_PREFIX}{format_number(value)}", span
    if bound == "above":
        return f"{statements.ABOVE_PREFIX}{format_number(value)}", span
    return value, span


def _honours(text: str, found: Dict[str, Any], message: str) -> Dict[str, Any]:
    """Who an honour belongs to, and at which level.

    The 徽商服务卡 asks about two honours: the company's (honour_level) and the speaker's own
    (personally_recognized, which the document grants only when the province gave it). A clause
    about the speaker in person ("本人也没有得过表彰", "我被市里评为优秀企业家") sets the personal one
    and not the company's; "优秀民营企业家" without 省 is not yet a provincial honour (ask)."""
    honour = fact_definitions().get("honour_level")
    personal_fact = "personally_recognized"
    if honour is None or personal_fact not in fact_definitions():
        return found
    personal_values: List[Any] = []
    personal_levels: List[Any] = []
    company_values: List[Any] = []
    qualification = fact_definitions().get("borrower_qualification")
    last_level: Any = None
    # "专精特新不是省级的，是市级的": with a qualification named and no honour word, a level is the
    # qualification's.
    levels_are_qualifications = (
        qualification is not None
        and keyword_value(message, qualification) is not None
        and not statements.is_about_honour(message)
    )
    for clause in statements.clauses(text):
        if levels_are_qualifications:
            break
        if not statements.is_about_honour(clause) and keyword_value(clause, honour) is None:
            level = _also_not(clause, last_level)
            if level is None:
                continue
        else:
            if qualification is not None and keyword_value(clause, qualification) is not None:
                # "借款企业是市级专精特新", "国家级专精特新小巨人": a qualification's level, not an honour.
                continue
            how = _honour_reading(clause)
            if how == "question":
                continue  # "好像得过省里的表彰", "是不是省里评的": unclear, so asked
            level = keyword_value(clause, honour) or statements.level_in_clause(clause)
            if level is not None and how == "negated":
                level = (
                    level
                    if str(level).startswith(statements.NOT_PREFIX) or level == "none"
                    else statements.NOT_PREFIX + str(level)
                )
            last_level = level
        subject = statements.honour_subject(clause)
        if subject == "personal":
            personal_values.append(_personal_honour(clause, level))
            personal_levels.append(level)
        elif level is not None:
            company_values.append(level)
    stated = [value for value in personal_values if value is not None]
    if stated:
        found[personal_fact] = True if True in stated else stated[0]
    else:
        # "我是优秀民营企业家" with no level, or no clause about the speaker: not stated.
        found.pop(personal_fact, None)
    if company_values:
        found["honour_level"] = "province" if "province" in company_values else company_values[0]
    else:
        # No clause states the company's honour: a level word was the speaker's own honour's or a
        # qualification's.
        found.pop("honour_level", None)
    # One honour named, and not a provincial one ("我们只有市里评的", "我是县里的优秀企业家"): it is
    # the honour there is, so it stands for both; a provincial one said later corrects it.
    lesser = [level for level in personal_levels if level in _LESSER_LEVELS]
    if company_values and not personal_values and found["honour_level"] in _LESSER_LEVELS:
        found[personal_fact] = False
    elif lesser and not company_values and False in stated and True not in stated:
        found["honour_level"] = lesser[0]
    return found


def _personal_honour(clause: str, level: Any) -> Any:
    """personally_recognized as one clause about the speaker states it."""
    if level == "province":
        return True
    if level is None:
        if _honour_reading(clause) == "negated" or _ALSO_NOT.search(clause):
            return False  # "本人也没有得过表彰", "本人从来没被表彰过", "我个人也没有"
        return None  # "我是优秀民营企业家": which level? ask
    return False  # not:province, city, county, national, none: not an honour the province gave


def _honour_word(clause: str) -> Tuple[int, str]:
    positions = [(clause.find(word), word) for word in statements.words().honour_words if word in clause]
    return min(positions, key=lambda item: (item[0], -len(item[1]))) if positions else (len(clause), "")


def _honour_reading(clause: str) -> str:
    """How a clause states its honour: negated before the honour word ("没有得过省里的表彰") or after
    it ("省里的表彰没有过", "省委省政府的表彰我们没有"), a question or doubt, or affirmed."""
    position, word = _honour_word(clause)
    how = statements.reading(clause, position, word, all_keywords())
    if how != "affirmed":
        return how
    # A level keyword before the honour word ("省委省政府的表彰我们没有"): read after the keyword too.
    honour = fact_definitions()["honour_level"]
    for start, _end, keyword, _value in keyword_matches(clause, honour):
        if statements.reading(clause, start, keyword, all_keywords()) == "negated":
            return "negated"
    return how


# "我本人也没有", "公司也没得过", "个人同样没有": an honour clause's negation repeated for another subject.
_ALSO_NOT = re.compile(r"(?:也|都|同样|一样|还)(?:没有|没|未|不是)(?:得过|拿过|获得过|获得|评过|评上|过)?[的呢啊呀]?$")


def _also_not(clause: str, last_level: Any) -> Any:
    """The level a clause without an honour word denies by repeating the last honour clause's
    negation ("我们没拿过省里的荣誉，我本人也没有" → the speaker has no provincial honour either)."""
    if last_level is None or not _ALSO_NOT.search(clause) or statements.honour_subject(clause) is None:
        return None
    bare = str(last_level).removeprefix(statements.NOT_PREFIX)
    return last_level if str(last_level).startswith(statements.NOT_PREFIX) else statements.NOT_PREFIX + bare


def _rate_after_cue(text: str, cues: Tuple[str, ...]) -> float | None:
    """ "费率1.2" or "担保费0.012": a bare number right after a rate cue word."""
    for cue in cues:
        match = re.search(re.escape(cue) + rf"\D{{0,4}}?({_NUMBER})(?![\d.]*\s*[万亿元块wWkK])", text)
        if match:
            return parse_rate(match.group(1))
    return None


def _amount_in_message(text: str, cues: Tuple[str, ...], rate_span: Tuple[int, int] | None) -> float | None:
    """A loan amount: a number with a money unit, or a bare number after a cue ("贷款5000000")."""
    for value, has_unit, span in _amount_matches(text):
        if rate_span and _overlaps(span, rate_span):
            continue
        if has_unit:
            return value
        before = text[max(0, span[0] - 6) : span[0]]
        if value >= 1000 and any(cue in before for cue in cues):
            return value
    return None


def parse_bool(text: Any) -> bool | None:
    """A yes/no answer ("是", "不是", True, "false") → bool; None when it is neither."""
    if isinstance(text, bool) or text is None:
        return text
    prepared = prepare_text(text).lower().strip("。.!！ ")
    vocab = vocabulary()
    if prepared in vocab.no_words:
        return False
    if prepared in vocab.yes_words:
        return True
    return None


def format_number(value: float) -> str:
    """1.2 → "1.2", 5.0 → "5", 0.125 → "0.125" (no float noise)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def format_yuan(value: float) -> str:
    """5000000 → "500万元", 50000 → "5万元", 150000000 → "1.5亿元", 3000 → "3000元"."""
    if value >= 1e8:
        return f"{format_number(round(value / 1e8, 4))}亿元"
    if value >= 1e4:
        return f"{format_number(round(value / 1e4, 4))}万元"
    return f"{format_number(round(value, 2))}元"
