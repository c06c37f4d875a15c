"""Answers about one measure, one aspect at a time, composed only from the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List

from knowledge.card import AnswerCard, citation_label
from knowledge.models import Measure


@dataclass
class Answer:
    text: str
    card: AnswerCard


def _bullets(items: List[str]) -> str:
    return "\n".join(f"• {item}" for item in items)


def _what(measure: Measure) -> str:
    parts = [measure.summary or measure.text]
    benefits = measure.detail("benefits")
    if benefits:
        parts.append(f"可享受的支持（共{len(benefits)}项）：\n{_bullets(benefits)}")
    return "\n".join(parts)


def _who(measure: Measure) -> str:
    beneficiaries = measure.detail("beneficiaries")
    if not beneficiaries:
        return f"文件未单独列明适用对象。原文：{measure.text}"
    return f"本条面向：\n{_bullets(beneficiaries)}"


def _how_to_apply(measure: Measure) -> str:
    if measure.how_to_apply:
        return measure.how_to_apply
    return "文件没有规定具体申报流程，具体条件和申报方式以经信部门每年发布的申报通知为准。"


def _contact(measure: Measure) -> str:
    contacts = measure.detail("contacts")
    if not contacts:
        return f"文件没有指定本条的对接部门，可向发文单位{measure.document.issuer}咨询。"
    return f"文件中负责本条的部门：\n{_bullets(contacts)}"


def _amount(measure: Measure) -> str:
    amounts = measure.detail("amounts")
    if amounts:
        return _bullets(amounts)
    return "文件没有规定本条的具体金额或比例，以经信部门发布的申报通知为准。"


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


def answer_measure(measure: Measure, aspect: str = "what", confidence: float | None = None) -> Answer:
    """Text (citing 第N条) and the policy answer card for one aspect of one measure."""
    compose = _COMPOSERS.get(aspect, _what)
    label = citation_label(measure.number)
    text = f"【{label}·{measure.title}】\n{compose(measure)}\n（依据：{measure.document.short_title}{label}）"
    card = AnswerCard(
        kind="policy",
        citations=[measure.number],
        measure=measure.key,
        source=measure.document.source(),
        confidence=confidence,
    )
    return Answer(text=text, card=card)
