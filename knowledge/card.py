"""The answer card: the one contract every channel and test relies on (docs/ARCHITECTURE.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List

KINDS = ("policy", "eligibility", "match", "fallback", "out_of_scope", "handoff")
VERDICTS = ("eligible", "not_eligible", "need_info")
# How a verdict is named to users, in answers and channel footers alike.
VERDICT_LABELS = {"eligible": "符合条件", "not_eligible": "不符合条件", "need_info": "还需补充信息"}


@dataclass
class Reason:
    """One condition of a verdict and its trace: the fact it reads, the value the user gave and
    in which message (``stated_in``), met / not met / unknown (None), what would meet it and the
    document's words it comes from."""

    condition: str
    met: bool | None
    fact: str | None = None
    fact_name: str | None = None
    requirement: str | None = None
    source: str | None = None
    stated_in: Dict[str, Any] | None = None


@dataclass
class AnswerCard:
    kind: str
    citations: List[int] = field(default_factory=list)
    measure: str | None = None
    verdict: str | None = None
    reasons: List[Reason] = field(default_factory=list)
    next_question: str | None = None
    source: Dict[str, str] | None = None
    notes: List[str] = field(default_factory=list)
    confidence: float | None = None
    # kind "handoff" only: "staff" (a person takes over, the bot pauses) or "no_staff" / "off_hours"
    # (nobody can: the reply names 12345 and offers a call-back, the bot keeps answering).
    handoff: str | None = None
    # The 口播稿 of a policy answer: the same answer as hotline staff read it out (knowledge/spoken.py).
    spoken: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown card kind {self.kind!r}")
        if self.verdict is not None and self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    def as_message(self) -> Dict[str, Any]:
        """What the action sends as ``json_message``."""
        return {"answer_card": self.to_dict()}


def citation_label(number: int) -> str:
    """How the text of a turn cites a measure: ``第13条`` (Arabic digits)."""
    return f"第{number}条"
