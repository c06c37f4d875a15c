"""What the review inbox lists, read from tracker events (pure functions, tested without a server).

A user message needs a maintainer's look when the assistant fell back on it, scored it low, handed
it to staff, or answered it and the user rated the answer 没用. Messages that are near copies
(the same words give or take punctuation, spacing, a character or two) are one item, counted
together; the most frequent come first. Each item shows how the assistant read its latest
occurrence (the intent ranking) and what it answered.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Set

from bot.channels.feedback import NOT_USEFUL, answers, label

LOW_CONFIDENCE = 0.6
NEAR_COPY_RATIO = 0.8
RANKING_SHOWN = 5
EXAMPLES_SHOWN = 5


@dataclass
class Occurrence:
    text: str
    comparable: str
    sender_id: str
    time: float
    reasons: List[str]
    intent: str | None
    confidence: float | None
    ranking: List[Dict[str, Any]]
    answer: str
    card_kind: str | None
    citations: List[int]
    feedback: str | None


@dataclass
class InboxItem:
    text: str  # the most frequent wording
    comparable: str
    occurrences: List[Occurrence] = field(default_factory=list)

    def as_json(self) -> Dict[str, Any]:
        latest = max(self.occurrences, key=lambda o: o.time)
        wordings: Dict[str, int] = {}
        reasons: Dict[str, int] = {}
        for occurrence in self.occurrences:
            wordings[occurrence.text] = wordings.get(occurrence.text, 0) + 1
            for reason in occurrence.reasons:
                reasons[reason] = reasons.get(reason, 0) + 1
        return {
            "text": self.text,
            "count": len(self.occurrences),
            "wordings": sorted(wordings.items(), key=lambda item: -item[1])[:EXAMPLES_SHOWN],
            "reasons": reasons,
            "conversations": sorted({o.sender_id for o in self.occurrences})[:EXAMPLES_SHOWN],
            "feedback": [o.feedback for o in self.occurrences if o.feedback][:EXAMPLES_SHOWN],
            "latest": {
                "text": latest.text, "time": latest.time, "intent": latest.intent, "confidence": latest.confidence,
                "ranking": latest.ranking, "answer": latest.answer, "card_kind": latest.card_kind,
                "citations": latest.citations,
            },
        }  # fmt: skip


def _card(event: Dict[str, Any]) -> Dict[str, Any] | None:
    custom = (event.get("data") or {}).get("custom")
    card = custom.get("answer_card") if isinstance(custom, dict) else None
    return card if isinstance(card, dict) else None


def occurrences(sender_id: str, events: List[Dict[str, Any]], comparable) -> List[Occurrence]:
    """The messages of one conversation that need a look. ``comparable(text)`` is the form near
    copies are compared in (bot/training/review_data.py)."""
    rated = {id(a.question): a for a in answers(events) if a.question is not None}
    found: List[Occurrence] = []
    for index, event in enumerate(events):
        text = (event.get("text") or "").strip() if event.get("event") == "user" else ""
        if not text or text.startswith("/"):  # a button's payload is not something a user wrote
            continue
        replies = []
        for later in events[index + 1 :]:
            if later.get("event") == "user":
                break
            if later.get("event") == "bot":
                replies.append(later)
        cards = [card for card in map(_card, replies) if card]
        kinds = {card.get("kind") for card in cards}
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        confidence = intent.get("confidence")
        reasons = []
        if "fallback" in kinds or intent.get("name") == "nlu_fallback":
            reasons.append("fallback")
        if isinstance(confidence, (int, float)) and confidence < LOW_CONFIDENCE:
            reasons.append("low_score")
        if "handoff" in kinds:
            reasons.append("handoff")
        answer = rated.get(id(event))
        feedback = answer.feedback if answer is not None else None
        if feedback and feedback.get("rating") == NOT_USEFUL:
            reasons.append("not_useful")
        if not reasons:
            continue
        found.append(
            Occurrence(
                text=text, comparable=comparable(text), sender_id=sender_id, time=event.get("timestamp") or 0.0,
                reasons=reasons, intent=intent.get("name"), confidence=confidence,
                ranking=[{"intent": r.get("name"), "confidence": r.get("confidence")}
                         for r in (parse.get("intent_ranking") or [])[:RANKING_SHOWN]],
                answer="\n".join(str(r.get("text")) for r in replies if r.get("text"))[:600],
                card_kind=cards[0].get("kind") if cards else None,
                citations=list(cards[0].get("citations") or []) if cards else [],
                feedback=label(feedback) if feedback and feedback.get("rating") == NOT_USEFUL else None,
            )
        )  # fmt: skip
    return found


def group(found: Iterable[Occurrence], resolved: Set[str] = frozenset()) -> List[InboxItem]:
    """Near copies together, most frequent first; items a maintainer already decided are left out."""
    items: List[InboxItem] = []
    for occurrence in sorted(found, key=lambda o: o.time):
        if not occurrence.comparable or occurrence.comparable in resolved:
            continue
        home = next((item for item in items if _near(item.comparable, occurrence.comparable)), None)
        if home is None:
            home = InboxItem(occurrence.text, occurrence.comparable)
            items.append(home)
        home.occurrences.append(occurrence)
    for item in items:
        counts: Dict[str, int] = {}
        for o in item.occurrences:
            counts[o.text] = counts.get(o.text, 0) + 1
        item.text = max(counts, key=lambda text: counts[text])
    return sorted(items, key=lambda item: (-len(item.occurrences), -max(o.time for o in item.occurrences)))


def _near(a: str, b: str) -> bool:
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= NEAR_COPY_RATIO
