"""“我们能享受吗” for the measures without eligibility rules: whom the document says they are for.

The data is knowledge/data/beneficiaries.yaml (the roles each measure is for and the document's
words, verbatim) and the measure's own ``beneficiaries`` list. When the asker plainly is not one
of them (a guarantee company asking about 专精特新 cultivation, a state-owned enterprise asking
about a measure for private enterprises), the verdict is not_eligible with the citation;
otherwise the answer says whom the measure is for and that the concrete criteria come from the
yearly application notices — never "eligible", which the document does not support.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Tuple

import yaml

from knowledge.card import VERDICT_LABELS, AnswerCard, Reason, citation_label
from knowledge.eligibility import document_source
from knowledge.facts import fact_definitions
from knowledge.paths import DATA_DIR
from knowledge.source_data import read_all

BENEFICIARIES_FILE = DATA_DIR / "beneficiaries.yaml"
# An entrepreneur asks for his enterprise: the measures for enterprises are for him too.
_SAME_AS = {"entrepreneur": "enterprise"}
# Askers that are organisations of their own kind: the document's private-enterprise scope is
# about enterprises, not about them.
_NOT_AN_ENTERPRISE = ("guarantee_institution", "service_platform", "incubation_base")
NO_CRITERIA = "文件没有写明具体的申请条件和门槛，具体条件以主管部门每年发布的申报通知为准。"


@dataclass(frozen=True)
class MeasureAudience:
    key: str
    number: int
    title: str
    who: Tuple[str, ...]  # the measure's beneficiaries, as the knowledge base words them
    for_roles: Tuple[str, ...]
    sources: Tuple[str, ...]  # the document's words, verbatim
    summary: str = ""  # what the measure provides, as the knowledge base says it


@dataclass(frozen=True)
class DocumentScope:
    source: str
    text: str


@lru_cache(maxsize=1)
def _data() -> Tuple[Dict[str, MeasureAudience], DocumentScope]:
    raw = yaml.safe_load(BENEFICIARIES_FILE.read_text(encoding="utf-8"))
    measures = {measure["key"]: measure for document in read_all() for measure in document.measures}
    audiences = {}
    for key, spec in (raw.get("measures") or {}).items():
        measure = measures[key]
        audiences[key] = MeasureAudience(
            key=key,
            number=int(measure["number"]),
            title=str(measure["title"]),
            who=tuple(measure.get("beneficiaries") or ()),
            for_roles=tuple(spec.get("for_roles") or ()),
            sources=tuple(spec.get("sources") or ()),
            summary=str(measure.get("summary") or ""),
        )
    scope = raw["document_scope"]
    return audiences, DocumentScope(source=str(scope["source"]), text=str(scope["text"]))


def audiences() -> Dict[str, MeasureAudience]:
    return dict(_data()[0])


def document_scope() -> DocumentScope:
    return _data()[1]


def _role_label(role: str) -> str:
    return fact_definitions()["applicant_role"].value_labels.get(role, role)


def _quote(sources: Tuple[str, ...]) -> str:
    return "；".join(f"“{source}”" for source in sources)


@dataclass
class AudienceAnswer:
    text: str
    card: AnswerCard


def answer_can_we(key: str, facts: Mapping[str, Any], confidence: float | None = None) -> AudienceAnswer:
    """The answer to "can we?" about measure ``key`` from the facts known about the asker."""
    audience = _data()[0][key]
    label = citation_label(audience.number)
    role = facts.get("applicant_role")
    role = role if isinstance(role, str) and not role.startswith("not:") else None
    who = "；".join(audience.who)
    condition = f"{label}的对象：{who}"
    lines = [f"【{label}·{audience.title}】"]
    reasons: List[Reason] = []
    verdict: str | None = None
    notes: List[str] = []
    if facts.get("ownership") == "state" and role not in _NOT_AN_ENTERPRISE and audience.for_roles:
        scope = document_scope()
        verdict = "not_eligible"
        reasons.append(
            Reason(
                "文件的支持对象是民营企业和民营企业家",
                False,
                fact_definitions()["ownership"].describe("state"),
                fact_name="ownership",
                requirement=f"需是民营企业或民营企业家（{label}）",
                source=scope.source,
            )
        )
        lines += [f"结论：{VERDICT_LABELS[verdict]}。", scope.text, f"（原文标题：“{scope.source}”）"]
    elif role is not None and _SAME_AS.get(role, role) not in audience.for_roles:
        verdict = "not_eligible"
        reasons.append(
            Reason(
                condition,
                False,
                _role_label(role),
                fact_name="applicant_role",
                requirement=f"对象需是：{who}（{label}）",
                source=_quote(audience.sources),
            )
        )
        lines += [
            f"结论：{VERDICT_LABELS[verdict]}。",
            f"不符合：{label}的对象是{who}（原文：{_quote(audience.sources)}）；您的情况：{_role_label(role)}。",
        ]
    else:
        reasons.append(
            Reason(
                condition,
                None,
                _role_label(role) if role else None,
                fact_name="applicant_role",
                requirement=f"对象需是：{who}（{label}）",
                source=_quote(audience.sources),
            )
        )
        lines += [f"{label}面向：{who}。", f"原文：{_quote(audience.sources)}。", NO_CRITERIA]
        if audience.summary:
            lines.append(f"这一条的内容：{audience.summary}")
        notes.append(NO_CRITERIA)
    lines.append(f"（依据：《若干意见》实施意见{label}）")
    card = AnswerCard(
        kind="eligibility",
        citations=[audience.number],
        measure=key,
        verdict=verdict,
        reasons=reasons,
        source=document_source(audience.number),
        notes=notes,
        confidence=confidence,
    )
    return AudienceAnswer("\n".join(lines), card)
