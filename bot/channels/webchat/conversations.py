"""Reading conversations out of Rasa trackers for the web chat history and the staff console.

Pure functions over tracker events (dicts as ``DialogueStateTracker.current_state`` or
``Event.as_dict`` give them), so they are tested without a server.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from bot.channels.feedback import answers, label

STAFF_METADATA_KEY = "staff"
UNDELIVERED_KEY = "undelivered"  # a staff message that did not reach the user: why (bot/channels/delivery/)
RANKING_SHOWN = 5


def _card_of(event: Dict[str, Any]) -> Dict[str, Any] | None:
    custom = (event.get("data") or {}).get("custom") or {}
    card = custom.get("answer_card") if isinstance(custom, dict) else None
    return card if isinstance(card, dict) else None


def _buttons_of(event: Dict[str, Any]) -> List[Dict[str, str]]:
    buttons = (event.get("data") or {}).get("buttons") or []
    return [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))} for b in buttons]


def is_staff_message(event: Dict[str, Any]) -> bool:
    return bool((event.get("metadata") or {}).get(STAFF_METADATA_KEY))


def transcript(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """What the chat window shows: user and bot messages in order, in the shape the widget renders.

    A user message is ``{"from": "user", "text"}``; a bot message ``{"from": "bot" | "staff", "text",
    "buttons", "card"}`` with text or card (or both) set.
    """
    events = list(events)
    rated = {answer.card_index: answer for answer in answers(events)}
    messages: List[Dict[str, Any]] = []
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == "user":
            text = event.get("text") or ""
            shown = (event.get("metadata") or {}).get("shown_text")
            messages.append({"from": "user", "text": str(shown) if shown else text, "time": event.get("timestamp")})
        elif kind == "bot":
            card = _card_of(event)
            text = event.get("text")
            if text is None and card is None:
                continue
            messages.append(
                {
                    "from": "staff" if is_staff_message(event) else "bot",
                    "text": text,
                    "buttons": _buttons_of(event),
                    "card": card,
                    "time": event.get("timestamp"),
                }
            )
            if index in rated:  # the widget puts 有用 / 没用 under it, showing a rating already given
                feedback = rated[index].feedback or {}
                messages[-1].update(answer_ref=rated[index].ref, rating=feedback.get("rating"),
                                    reason=feedback.get("reason"))  # fmt: skip
    return messages


def paused(events: Iterable[Dict[str, Any]]) -> bool:
    """Whether the last pause/resume event is a pause (a human has the conversation)."""
    state = False
    for event in events:
        if event.get("event") == "pause":
            state = True
        elif event.get("event") in ("resume", "restart"):
            state = False
    return state


def input_channels(events: Iterable[Dict[str, Any]]) -> List[str]:
    return sorted({e.get("input_channel") for e in events if e.get("event") == "user" and e.get("input_channel")})


def _intent_of(event: Dict[str, Any]) -> Dict[str, Any]:
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    ranking = parse.get("intent_ranking") or []
    return {
        "intent": intent.get("name"),
        "confidence": intent.get("confidence"),
        "ranking": [{"intent": r.get("name"), "confidence": r.get("confidence")} for r in ranking[:RANKING_SHOWN] if r],
        "entities": [{"entity": e.get("entity"), "value": e.get("value")} for e in parse.get("entities") or [] if e],
    }


def console_turns(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """What the staff console shows: each user message with the intent ranking behind it, each bot
    message with the measures its card cites, staff replies, and the hand-off points."""
    events = list(events)
    rated = {answer.card_index: answer for answer in answers(events)}
    turns: List[Dict[str, Any]] = []
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == "user":
            turns.append({"from": "user", "text": event.get("text") or "", "time": event.get("timestamp"),
                          **_intent_of(event)})  # fmt: skip
        elif kind == "bot":
            card = _card_of(event)
            if event.get("text") is None and card is None:
                continue
            previous = turns[-1] if turns else None
            follows_text = previous is not None and previous["from"] == "bot" and not previous["card_kind"]
            if card and event.get("text") is None and follows_text:
                # The card that follows a bot text belongs to that text's turn.
                previous.update(citations=list(card.get("citations") or []), card_kind=card.get("kind"),
                                verdict=card.get("verdict"), feedback=_feedback_shown(rated, index))  # fmt: skip
                continue
            turns.append(
                {
                    "from": "staff" if is_staff_message(event) else "bot",
                    "text": event.get("text"),
                    "buttons": _buttons_of(event),
                    "citations": list(card.get("citations") or []) if card else [],
                    "card_kind": card.get("kind") if card else None,
                    "verdict": card.get("verdict") if card else None,
                    "feedback": _feedback_shown(rated, index),
                    "time": event.get("timestamp"),
                    "undelivered": (event.get("metadata") or {}).get(UNDELIVERED_KEY),
                }
            )
        elif kind in ("pause", "resume"):
            turns.append({"from": "system", "event": kind, "time": event.get("timestamp")})
    return turns


def _feedback_shown(rated: Dict[int, Any], index: int) -> Dict[str, Any] | None:
    """The rating of the answer whose card is event ``index``, as the console shows it beside the answer."""
    feedback = rated[index].feedback if index in rated else None
    if not feedback:
        return None
    return {"rating": feedback.get("rating"), "reason": feedback.get("reason"), "comment": feedback.get("comment"),
            "channel": feedback.get("channel"), "time": feedback.get("given_at"), "label": label(feedback)}  # fmt: skip


def summary(sender_id: str, events: List[Dict[str, Any]]) -> Dict[str, Any] | None:
    """One row of the console's conversation list; None for a conversation without any message."""
    user_messages = [e for e in events if e.get("event") == "user"]
    if not user_messages:
        return None
    last = user_messages[-1]
    cited = sorted({n for e in events if e.get("event") == "bot" for n in (_card_of(e) or {}).get("citations") or []})
    return {
        "sender_id": sender_id,
        "channels": input_channels(events),
        "paused": paused(events),
        "user_messages": len(user_messages),
        "last_user_text": last.get("text") or "",
        "last_time": max((e.get("timestamp") or 0) for e in events),
        "citations": cited,
    }
