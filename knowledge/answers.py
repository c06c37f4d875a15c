"""Answers about one measure, one aspect at a time, composed only from the knowledge base.

Every answer cites its measure (第N条) in the text and in the card, and carries the notes for
time-bound targets computed from today's date (knowledge/timeliness.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Dict, List

from knowledge import eligibility, timeliness
from knowledge.card import AnswerCard, citation_label
from knowledge.models import Measure
from knowledge.spoken import spoken_script

# What a measure with no stated thresholds offers is guidance, not a verdict: the criteria are
# set each year by the 经信 departments' application notices.
YEARLY_NOTICE = "文件没有规定具体的申报条件、材料和时间，具体以省、市经信部门每年发布的申报通知为准。"
NO_PHONE = "文件没有提供电话或网址。"


@dataclass
class Answer:
    text: str
    card: AnswerCard


def _bullets(items: List[str]) -> str:
    return "\n".join(f"• {item}" for item in items)


def _kind(measure: Measure) -> str:
    return measure.kind or "support"


def _rules(measure: Measure) -> List[eligibility.Rule]:
    return eligibility.rules_for_measure(measure.number)


def _conditions(rule: eligibility.Rule) -> List[str]:
    return [leaf.condition for leaf in eligibility.leaves(rule.conditions)]


def _what(measure: Measure) -> str:
    parts = [measure.summary or measure.text]
    benefits = measure.detail("benefits")
    if benefits:
        parts.append(f"具体支持（共{len(benefits)}项）：\n{_bullets(benefits)}")
    kind = _kind(measure)
    if kind == "eligibility":
        titles = "、".join(rule.title for rule in _rules(measure))
        parts.append(f"想知道能不能享受{titles}，告诉我您的情况，我按文件条件逐条帮您对照。")
    elif kind == "support":
        parts.append(YEARLY_NOTICE)
    return "\n".join(parts)


def _who(measure: Measure) -> str:
    beneficiaries = measure.detail("beneficiaries")
    parts = []
    if beneficiaries:
        parts.append(f"本条面向：\n{_bullets(beneficiaries)}")
    else:
        parts.append(f"文件未单独列明适用对象。原文：{measure.text}")
    kind = _kind(measure)
    if kind == "eligibility":
        for rule in _rules(measure):
            parts.append(f"{rule.title}的条件（文件原文规定）：\n{_bullets(_conditions(rule))}")
    elif kind == "support":
        parts.append(
            "文件只写明了支持方向和对象，没有规定门槛；具体申报条件、材料和时间以省、市经信部门每年发布的申报通知为准。"
        )
    else:
        parts.append("本条是政府部门的工作安排，不是企业申报的项目。")
    return "\n".join(parts)


def _how_to_apply(measure: Measure) -> str:
    if measure.how_to_apply:
        return measure.how_to_apply
    return YEARLY_NOTICE


def _contact(measure: Measure) -> str:
    contacts = measure.detail("contacts")
    if not contacts:
        return f"文件没有指定本条的对接部门，可向发文单位{measure.document.issuer}咨询。{NO_PHONE}"
    return f"文件中与本条有关的部门：\n{_bullets(contacts)}\n{NO_PHONE}"


def _amount(measure: Measure) -> str:
    amounts = measure.detail("amounts")
    if amounts:
        return _bullets(amounts)
    forms = measure.detail("support_forms")
    forms_text = f"本条的支持方式是{'、'.join(forms)}。" if forms else ""
    text = f"{forms_text}文件没有规定本条的具体金额或比例。"
    if _kind(measure) == "support":
        text += "涉及资金支持的，具体标准以省、市经信部门每年发布的申报通知为准。"
    return text


def _validity(measure: Measure) -> str:
    document = measure.document
    return (
        f"本条出自{document.issuer}{document.date.year}年{document.date.month}月{document.date.day}日印发的"
        f"{document.short_title}。文件本身没有写明有效期，执行情况请以经信部门最新通知为准。"
    )


_COMPOSERS: Dict[str, Callable[[Measure], str]] = {
    "what": _what,
    "who": _who,
    "how_to_apply": _how_to_apply,
    "contact": _contact,
    "amount": _amount,
    "validity": _validity,
}

ASPECTS = tuple(_COMPOSERS)
# Aspects whose answer is about the measure's content over time: they also get the note on
# "每年" targets and on the document's age.
_TIME_ASPECTS = ("what", "validity")
# Aspects whose text shows time-bound content (targets, the document's date), so the text
# repeats the notes; the card carries them for every aspect.
_NOTES_IN_TEXT = ("what", "amount", "validity")


def measure_notes(measure: Measure, aspect: str = "what", today: dt.date | None = None) -> List[str]:
    """The time notes an answer about ``aspect`` of ``measure`` carries."""
    in_time = aspect in _TIME_ASPECTS
    notes = timeliness.measure_notes(measure, on=today, include_yearly=in_time)
    if aspect == "validity":
        age = timeliness.document_age_note(measure.document.date, on=today)
        if age:
            notes.append(age)
    return notes


def answer_measure(
    measure: Measure, aspect: str = "what", confidence: float | None = None, today: dt.date | None = None
) -> Answer:
    """Text (citing 第N条) and the policy answer card for one aspect of one measure."""
    aspect = aspect if aspect in _COMPOSERS else "what"
    label = citation_label(measure.number)
    notes = measure_notes(measure, aspect, today)
    body = _COMPOSERS[aspect](measure)
    if notes and aspect in _NOTES_IN_TEXT:
        body += "\n" + "\n".join(f"提示：{note}" for note in notes)
    text = f"【{label}·{measure.title}】\n{body}\n（依据：{measure.document.short_title}{label}）"
    card = AnswerCard(
        kind="policy",
        citations=[measure.number],
        measure=measure.key,
        source=measure.document.source(),
        notes=notes,
        confidence=confidence,
        spoken=spoken_script(text, [measure.number], measure.document.short_title),
    )
    return Answer(text=text, card=card)
