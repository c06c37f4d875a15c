"""The case in front of staff, at the top of a conversation in the console: what the user asked
about, the eligibility facts gathered and the latest verdict with the facts it still needs, the
questions the bot could not answer, the channel, and since when a person has the conversation.

Pure functions over tracker events (dicts as ``Event.as_dict`` gives them). Measure titles and
departments are handed in (``MeasureDirectory``: from the knowledge base), fact labels come from
knowledge/facts.py; nothing here is worded from scratch.
"""

from __future__ import annotations

from typing import Any, Dict, List, TypedDict

from bot.stores.conversation_index import UNANSWERED_KINDS, card_of, fold_all
from knowledge.card import VERDICT_LABELS
from knowledge.facts import fact_definitions

# Below this intent confidence a user message counts as not understood (the console marks it too,
# and config.yml's FallbackClassifier uses the same threshold).
LOW_CONFIDENCE = 0.5
# Intents that are not questions about the policy: never "not answered".
NOT_QUESTIONS = ("request_human", "greet", "goodbye", "affirm", "deny", "thank", "stop", "inform", "bot_challenge")


class MeasureInfo(TypedDict):
    number: int
    title: str
    departments: List[str]


MeasureDirectory = Dict[int, MeasureInfo]


def _card(event: Dict[str, Any]) -> Dict[str, Any] | None:
    return card_of(event) or None


def _measures(events: List[Dict[str, Any]], directory: MeasureDirectory) -> List[Dict[str, Any]]:
    """The measures the answers cited, in the order first asked about, each with its departments."""
    numbers: List[int] = []
    for event in events:
        card = _card(event) if event.get("event") == "bot" else None
        for number in (card or {}).get("citations") or []:
            if isinstance(number, int) and number not in numbers:
                numbers.append(number)
    shown = []
    for number in numbers:
        info = directory.get(number)
        shown.append({"number": number, "title": info["title"] if info else "",
                      "departments": list(info["departments"]) if info else []})  # fmt: skip
    return shown


def _facts(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The eligibility facts the conversation has (the slots named after them), latest value each."""
    definitions = fact_definitions()
    values: Dict[str, Any] = {}
    for event in events:
        if event.get("event") == "slot" and event.get("name") in definitions:
            values[event["name"]] = event.get("value")
        elif event.get("event") == "restart":
            values = {}
    shown = []
    for name, value in values.items():
        if value is None:
            continue
        definition = definitions[name]
        shown.append({"name": name, "label": definition.label, "value": definition.describe(value)})
    return shown


def _verdict(events: List[Dict[str, Any]]) -> Dict[str, Any] | None:
    """The latest eligibility verdict: its measure, the conditions met / not met / unknown."""
    for event in reversed(events):
        card = _card(event) if event.get("event") == "bot" else None
        if card and card.get("kind") == "eligibility" and card.get("verdict"):
            reasons = [r for r in card.get("reasons") or [] if isinstance(r, dict)]
            return {
                "verdict": card.get("verdict"),
                "label": VERDICT_LABELS.get(str(card.get("verdict"))),
                "measure": card.get("measure"),
                "citations": list(card.get("citations") or []),
                "reasons": [
                    {"condition": r.get("condition"), "met": r.get("met"), "fact": r.get("fact")} for r in reasons
                ],  # fmt: skip
                "missing": [r.get("condition") for r in reasons if r.get("met") is None],
                "next_question": card.get("next_question"),
                "time": event.get("timestamp"),
            }
    return None


def _unanswered(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """User messages the bot could not answer: its reply was a fallback or out of scope, or it
    understood the message with low confidence."""
    found: List[Dict[str, Any]] = []
    question: Dict[str, Any] | None = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            if question is not None and question.get("reason"):
                found.append(question)
            intent = ((event.get("parse_data") or {}).get("intent")) or {}
            confidence = intent.get("confidence")
            low = isinstance(confidence, (int, float)) and confidence < LOW_CONFIDENCE
            shown = (event.get("metadata") or {}).get("shown_text")
            question = {
                "text": str(shown or event.get("text") or ""),
                "time": event.get("timestamp"),
                "intent": intent.get("name"),
                "confidence": confidence,
                "reason": "low_confidence" if low and intent.get("name") not in NOT_QUESTIONS else None,
            }
        elif kind == "bot" and question is not None:
            card = _card(event)
            if card and card.get("kind") in UNANSWERED_KINDS:
                question["reason"] = card["kind"]
            elif card and card.get("kind") in ("policy", "eligibility", "match") and question["reason"]:
                question["reason"] = None  # answered from the policy after all
    if question is not None and question.get("reason"):
        found.append(question)
    return found


def case_of(sender_id: str, events: List[Dict[str, Any]], directory: MeasureDirectory) -> Dict[str, Any]:
    summary = fold_all(sender_id, events)
    return {
        "channel": summary["last_channel"] if summary else None,
        "channels": [c for c in (summary["channels"] if summary else "").split(",") if c],
        "status": summary["status"] if summary else "bot",
        "handoff_time": summary["handoff_time"] if summary else None,
        "first_staff_reply_time": summary["first_staff_reply_time"] if summary else None,
        "measures": _measures(events, directory),
        "facts": _facts(events),
        "verdict": _verdict(events),
        "unanswered": _unanswered(events),
    }
