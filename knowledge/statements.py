"""What a message states about a fact, with negation: "不是法人", "没有得过省里的表彰", "不超过1.2%".

A keyword found in a message is read in its clause: a negator shortly before it ("本人没有得过",
"不是专精特新") negates it, a question form ("是不是法人", "有没有抵押") makes it say nothing.
Negated category values and rate bounds are kept as qualified values so that they can fail a
condition but never meet one by accident:

- ``"not:province"``: the fact is not that value ("没有省里的表彰");
- ``"at_most:1.2"`` / ``"above:1.5"``: a rate bound ("不超过1.2%", "超过1.5%").

The words are data (knowledge/data/facts.yaml: ``negation``, ``titles``, ``honour_subjects``,
``rate_bounds``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Tuple

import yaml

from knowledge.paths import DATA_DIR
from knowledge.textnorm import normalise

NOT_PREFIX = "not:"
AT_MOST_PREFIX = "at_most:"
ABOVE_PREFIX = "above:"
QUALIFIERS = (NOT_PREFIX, AT_MOST_PREFIX, ABOVE_PREFIX)
CLAUSE_BREAK = re.compile(r"[,，。.;；!！?？、\n]|但是|但|而是|可是|不过")


@dataclass(frozen=True)
class StatementWords:
    negators: Tuple[str, ...]
    not_negators: Tuple[str, ...]
    question_forms: Tuple[str, ...]
    reach: int
    # After the keyword, at the end of its clause: "小微企业基本不做", "省里的表彰没有过", "法人代表我不是".
    trailing_negators: Tuple[str, ...]
    trailing_reach: int
    trailing_tail: int
    trailing_stop: Tuple[str, ...]
    bare_adverbs: Tuple[str, ...]
    bare_predicates: Tuple[str, ...]
    # "小微企业不一定", "是不是法人不清楚": the keyword says nothing certain.
    uncertain: Tuple[str, ...]
    # "不对", "说错了", "其实是": what follows corrects what came before.
    corrections: Tuple[str, ...]
    not_corrections: Tuple[str, ...]
    titles: Tuple[str, ...]
    personal: Tuple[str, ...]
    company: Tuple[str, ...]
    honour_words: Tuple[str, ...]
    at_most: Tuple[str, ...]
    above: Tuple[str, ...]
    level_markers: Tuple[Tuple[str, str], ...]  # (marker, honour level), national first
    weak_keywords: Dict[str, Tuple[str, ...]]
    third_parties: Tuple[str, ...]


def _words(raw: Any) -> Tuple[str, ...]:
    return tuple(sorted((normalise(str(word)) for word in raw or ()), key=len, reverse=True))


@lru_cache(maxsize=1)
def words() -> StatementWords:
    raw = yaml.safe_load((DATA_DIR / "facts.yaml").read_text(encoding="utf-8"))
    negation = raw.get("negation") or {}
    subjects = raw.get("honour_subjects") or {}
    bounds = raw.get("rate_bounds") or {}
    return StatementWords(
        negators=_words(negation.get("negators")),
        not_negators=_words(negation.get("not_negators")),
        question_forms=_words(negation.get("question_forms")),
        reach=int(negation.get("reach", 8)),
        trailing_negators=_words(negation.get("trailing_negators")),
        trailing_reach=int(negation.get("trailing_reach", 8)),
        trailing_tail=int(negation.get("trailing_tail", 4)),
        trailing_stop=_words(negation.get("trailing_stop")),
        bare_adverbs=_words(negation.get("bare_adverbs")),
        bare_predicates=("", *_words(negation.get("bare_predicates"))),
        uncertain=_words(negation.get("uncertain")),
        corrections=_words((raw.get("corrections") or {}).get("markers")),
        not_corrections=_words((raw.get("corrections") or {}).get("not_markers")),
        titles=_words(raw.get("titles")),
        personal=_words(subjects.get("personal")),
        company=_words(subjects.get("company")),
        honour_words=_words(subjects.get("honour_words")),
        at_most=_words(bounds.get("at_most")),
        above=_words(bounds.get("above")),
        weak_keywords={name: _words(items) for name, items in (raw.get("weak_keywords") or {}).items()},
        third_parties=_words(raw.get("third_parties")),
        level_markers=tuple(
            (normalise(marker), level)
            for level, markers in (subjects.get("level_markers") or {}).items()
            for marker in markers
        ),
    )


def clause_start(text: str, position: int) -> int:
    """Where the clause holding ``position`` begins (after the last comma, 但是, 而是 …)."""
    start = 0
    for match in CLAUSE_BREAK.finditer(text, 0, position):
        start = match.end()
    return start


def clause_around(text: str, position: int) -> str:
    start = clause_start(text, position)
    end_match = CLAUSE_BREAK.search(text, position)
    return text[start : end_match.start() if end_match else len(text)]


def clauses(text: str) -> List[str]:
    return [part for part in CLAUSE_BREAK.split(text) if part]


def _last_negator(before: str) -> Tuple[int, str] | None:
    """The last negator in ``before`` (the clause text up to the keyword), ignoring 不仅/不少 …"""
    found: Tuple[int, str] | None = None
    for negator in words().negators:
        position = before.rfind(negator)
        while position >= 0:
            guarded = any(before.startswith(guard, position) for guard in words().not_negators)
            if not guarded:
                if found is None or position > found[0] or (position == found[0] and len(negator) > len(found[1])):
                    found = (position, negator)
                break
            position = before.rfind(negator, 0, position)
    return found


def reading(text: str, start: int, keyword: str, stop_words: Iterable[str] = ()) -> str:
    """How the keyword at ``start`` is stated: "affirmed", "negated" or "question" (says nothing:
    a question form, or a word of doubt in its clause, "小微企业不一定").

    Negated by a negator shortly before it ("本人没有得过", "不是专精特新") or at the end of its clause
    after it ("小微企业基本不做", "省里的表彰没有过", "法人代表我不是"): see ``negated_after``;
    ``stop_words`` (the other facts' keywords) end what a trailing negator can reach."""
    clause_from = clause_start(text, start)
    before = text[clause_from:start]
    around = text[max(clause_from, start - 3) : start + len(keyword) + 1]
    if any(form in around for form in words().question_forms):
        return "question"
    if any(word in clause_around(text, start) for word in words().uncertain):
        return "question"
    negator = _last_negator(before[-words().reach :]) if before else None
    if negator is None:
        return "negated" if negated_after(text, start + len(keyword), stop_words) else "affirmed"
    gap = before[-words().reach :][negator[0] + len(negator[1]) :]
    # "不是市级的是省级的": a 是 after the negator states the keyword again.
    if "是" in gap.replace("不是", ""):
        return "affirmed"
    return "negated"


_DIGIT = re.compile(r"\d")


def negated_after(text: str, end: int, stop_words: Iterable[str] = ()) -> bool:
    """True when a negator follows the keyword ending at ``end`` and ends its clause: "小微企业基本不做",
    "专精特新还没拿到", "省级表彰未曾获得过", "法人代表我不是". The negator stands within
    ``trailing_reach`` characters after the keyword and at most ``trailing_tail`` characters follow it,
    none a number or another fact's keyword: in "我们公司不是国企" the 不是 negates 国企, not 公司."""
    clause_end = CLAUSE_BREAK.search(text, end)
    after = text[end : clause_end.start() if clause_end else len(text)]
    if any(form in after for form in words().question_forms):
        return False
    for position in range(min(len(after), words().trailing_reach + 1)):
        negator = next((n for n in words().trailing_negators if after.startswith(n, position)), None)
        guard = next((g for g in words().not_negators if after.startswith(g, position)), None)
        if guard is not None and (negator is None or len(guard) > len(negator)):
            return False  # "小微企业做得不错", "服务小微不少"
        if negator is None:
            continue
        tail = after[position + len(negator) :]
        if len(tail) > words().trailing_tail or _DIGIT.search(tail):
            return False
        return not any(word and word in tail for word in (*stop_words, *words().trailing_stop))
    return clause_end is not None and _bare_negation(text[clause_end.end() :])


def _bare_negation(rest: str) -> bool:
    """The next clause only says "no" ("小微企业的担保，基本没有", "省里的表彰？从来没有过"): it negates
    the keyword before it. Only adverbs, a negator and one of the bare predicates may stand in it."""
    following = CLAUSE_BREAK.search(rest)
    clause = rest[: following.start() if following else len(rest)]
    stripped = True
    while stripped:
        stripped = False
        for adverb in words().bare_adverbs:
            if clause.startswith(adverb):
                clause, stripped = clause[len(adverb) :], True
    negator = next((n for n in words().trailing_negators if clause.startswith(n)), None)
    return negator is not None and clause[len(negator) :] in words().bare_predicates


def _spans(text: str, word: str) -> List[Tuple[int, int]]:
    spans, position = [], text.find(word)
    while word and position >= 0:
        spans.append((position, position + len(word)))
        position = text.find(word, position + 1)
    return spans


def correction_at(text: str) -> int | None:
    """Where the last correction in ``text`` starts ("费率1.5%，不对，是1.2%" → at 不对): what follows
    it replaces what came before. None without one ("对不对" asks, it corrects nothing)."""
    guards = [span for guard in words().not_corrections for span in _spans(text, guard)]
    found = [
        start
        for marker in words().corrections
        for start, end in _spans(text, marker)
        if not any(g_start <= start and end <= g_end for g_start, g_end in guards)
    ]
    return max(found) if found else None


def is_correction(text: str) -> bool:
    """ "不对，费率是1.5%", "说错了", "其实是抵押": the message corrects something said before."""
    return correction_at(normalise(text)) is not None


def keyword_negates_itself(keyword: str) -> bool:
    """Keywords like 不是法人 / 没有抵押 carry their negation: they are statements as they stand."""
    return any(keyword.startswith(negator) for negator in words().negators)


_IDENTITY = re.compile(r"(?:(?<!不)是|作为|属于)[^,，。.;；!！?？、]{0,6}$")


def about_a_third_party(fact: str, keyword: str, text: str, start: int) -> bool:
    """A general keyword ("企业") says who the asker is only as "我们是…企业" and not in a clause
    about someone else ("客户是…企业"); inside "小微企业" or "大中型企业" it says nothing of the asker."""
    if keyword not in words().weak_keywords.get(fact, ()):
        return False
    clause = clause_around(text, start)
    if any(word in clause for word in words().third_parties):
        return True
    return not _IDENTITY.search(text[clause_start(text, start) : start])


def title_in(text: str) -> str | None:
    """The job title a message gives for the speaker (总经理, 董事长 …), if any."""
    for title in words().titles:
        if title in text:
            return title
    return None


def honour_subject(clause: str) -> str | None:
    """ "personal" when a clause about an honour is about the speaker in person, "company" when it
    is about the company, None when it names neither."""
    personal = any(word in clause for word in words().personal) or bool(re.search(r"我(?!们|司|公司|厂|企)", clause))
    company = any(word in clause for word in words().company)
    if personal and not (company and not any(word in clause for word in words().personal)):
        return "personal"
    if company:
        return "company"
    return None


def is_about_honour(clause: str) -> bool:
    return any(word in clause for word in words().honour_words)


def level_in_clause(clause: str) -> str | None:
    """The honour level a clause names by a marker shortly before an honour word: "我被市里评为"
    → city. None when no marker stands within four characters before one."""
    for word in words().honour_words:
        position = clause.find(word)
        while position >= 0:
            before = clause[max(0, position - 5) : position]
            for marker, level in words().level_markers:
                if marker in before:
                    return level
            position = clause.find(word, position + 1)
    return None


def rate_bound(text: str, start: int, end: int) -> str | None:
    """ "at_most" / "above" when the rate at text[start:end] is stated as a bound."""
    before = text[clause_start(text, start) : start][-5:]
    after = text[end : end + 3]
    if any(word in before for word in words().at_most) or after.startswith(("以内", "以下")):
        return "at_most"
    if any(word in before for word in words().above) or after.startswith("以上"):
        return "above"
    return None


def qualified(value: Any) -> Tuple[str, str] | None:
    """("not:", "province") for "not:province"; None for a plain value."""
    if isinstance(value, str):
        for prefix in QUALIFIERS:
            if value.startswith(prefix):
                return prefix, value[len(prefix) :]
    return None
