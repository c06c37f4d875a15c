"""Turning conversation turns into what a maintainer acts on."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

from tools.report.events import Turn

LOW_CONFIDENCE = 0.6
MISSED_KINDS = ("fallback", "out_of_scope")


@dataclass
class Missed:
    text: str
    reason: str  # fallback | out_of_scope | low_confidence | no_answer
    intent: str | None
    confidence: float | None
    count: int = 1


@dataclass
class Report:
    conversations: int
    turns: int
    measures: List[Tuple[int, int]]  # (measure number, times cited), most cited first
    kinds: Dict[str, int]
    fallback_rate: float
    out_of_scope_rate: float
    missed: List[Missed] = field(default_factory=list)


def _reason(turn: Turn, low_confidence: float) -> str | None:
    kinds = {card.get("kind") for card in turn.cards}
    for kind in MISSED_KINDS:
        if kind in kinds:
            return kind
    if turn.intent == "nlu_fallback":
        return "fallback"
    if turn.confidence is not None and turn.confidence < low_confidence:
        return "low_confidence"
    if not turn.bot_texts and not turn.cards:
        return "no_answer"
    return None


def analyse(turns: List[Turn], low_confidence: float = LOW_CONFIDENCE) -> Report:
    cited: Counter = Counter()
    kinds: Counter = Counter()
    missed: Dict[Tuple[str, str], Missed] = {}
    for turn in turns:
        for card in turn.cards:
            kinds[card.get("kind") or "unknown"] += 1
            cited.update(int(n) for n in card.get("citations") or [] if str(n).isdigit())
        reason = _reason(turn, low_confidence)
        if reason and turn.text.strip():
            key = (turn.text.strip(), reason)
            if key in missed:
                missed[key].count += 1
            else:
                missed[key] = Missed(turn.text.strip(), reason, turn.intent, turn.confidence)
    total = len(turns)
    reasons = Counter(m.reason for m in missed.values() for _ in range(m.count))
    return Report(
        conversations=len({t.sender_id for t in turns}),
        turns=total,
        measures=sorted(cited.items(), key=lambda item: (-item[1], item[0])),
        kinds=dict(kinds),
        fallback_rate=reasons["fallback"] / total if total else 0.0,
        out_of_scope_rate=reasons["out_of_scope"] / total if total else 0.0,
        missed=sorted(missed.values(), key=lambda m: (-m.count, m.reason, m.text)),
    )
