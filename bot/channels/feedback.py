"""Answer feedback (有用 / 没用 and why), shared by every channel and the staff console. No Rasa here.

A rating is stored in the conversation's tracker as an ``agent`` event (Rasa's ``AgentUttered``)
whose data is ``{"answer_feedback": {...}}`` (bot/channels/feedback_store.py appends it). That
event type changes no dialogue state: the policies predict from states built at each
``ActionExecuted`` out of the user message, the slots, the active loop and the previous action,
and an ``agent`` event touches none of them; it is also never sent as a message and never read by
the actions. So a rating neither interrupts nor steers the conversation.

Which answer a rating is about: its ``answer_ref``, a short hash of the answer's text (the bot
texts of the turn that came before the answer card, cut at blank lines the way Rasa's REST channel
cuts them). Every client can compute it from what it shows (the widget from the socket.io
messages, the Telegram bridge and the WeChat webhook from the REST-style reply list), and the
server recomputes it from the tracker, so the rating lands on the answer the user saw, also on an
older message, after restarts and on any replica, with no server-side id to keep.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any, Dict, Iterable, List, Sequence

FEEDBACK_KEY = "answer_feedback"
USEFUL = "useful"
NOT_USEFUL = "not_useful"
RATINGS = {USEFUL: "有用", NOT_USEFUL: "没用"}
# The reasons a user may give after 没用, in the order the channels offer them.
REASONS = {"wrong_answer": "答非所问", "incomplete": "信息不全", "unclear": "看不懂", "other": "其他"}
MAX_COMMENT_CHARS = 500
# The answers a user can rate: the ones that rest on the policy. A fallback, an out-of-scope reply
# and a hand-off already reach the review inbox on their own; a need_info turn is a question back.
RATED_KINDS = ("policy", "eligibility", "match")


class FeedbackError(ValueError):
    """A rating that cannot be stored; the message says why (a 4xx for the HTTP routes)."""


@dataclass(frozen=True)
class Feedback:
    answer_ref: str
    rating: str
    channel: str
    reason: str | None = None
    comment: str | None = None
    given_at: float = 0.0

    def as_data(self) -> Dict[str, Any]:
        return {FEEDBACK_KEY: {k: v for k, v in asdict(self).items() if v is not None}}


def fnv1a(text: str) -> str:
    """32-bit FNV-1a of the UTF-8 bytes, as 8 hex digits (web/src/feedback.js computes the same)."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"


def text_parts(text: str) -> List[str]:
    """A bot text as Rasa's REST channel sends it: cut at blank lines, each piece stripped."""
    return [part.strip() for part in text.strip().split("\n\n") if part.strip()]


def answer_ref(texts: Iterable[str]) -> str:
    """The reference of the answer whose card follows ``texts`` (the turn's bot texts, in order)."""
    return fnv1a("\n\n".join(part for text in texts for part in text_parts(text)))


def is_rated_card(card: Dict[str, Any] | None) -> bool:
    return isinstance(card, dict) and card.get("kind") in RATED_KINDS and card.get("verdict") != "need_info"


def make_feedback(raw: Any, channel: str, now: float | None = None) -> Feedback:
    """A rating from what a client sent (``{"answer_ref", "rating", "reason"?, "comment"?}``)."""
    if not isinstance(raw, dict):
        raise FeedbackError("feedback must be an object with answer_ref and rating")
    ref, rating = raw.get("answer_ref"), raw.get("rating")
    if not isinstance(ref, str) or len(ref) != 8 or any(c not in "0123456789abcdef" for c in ref):
        raise FeedbackError("answer_ref must be the 8 hex digits of the rated answer")
    if rating not in RATINGS:
        raise FeedbackError(f"rating must be one of {', '.join(RATINGS)}")
    reason = raw.get("reason") or None
    if reason is not None and (rating != NOT_USEFUL or reason not in REASONS):
        raise FeedbackError(f"a reason goes with {NOT_USEFUL} and is one of {', '.join(REASONS)}")
    comment = raw.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise FeedbackError("comment must be text")
    comment = (comment or "").strip() or None
    if comment is not None:
        if rating != NOT_USEFUL:
            raise FeedbackError(f"a comment goes with {NOT_USEFUL}")
        if len(comment) > MAX_COMMENT_CHARS:
            raise FeedbackError(f"a comment is at most {MAX_COMMENT_CHARS} characters")
        reason = reason or "other"
    return Feedback(ref, rating, channel, reason, comment, time.time() if now is None else now)


def feedback_of(event: Dict[str, Any]) -> Dict[str, Any] | None:
    """The rating an event (a dict as ``Event.as_dict`` gives it) carries, if it is one."""
    if event.get("event") != "agent":
        return None
    data = event.get("data")
    feedback = data.get(FEEDBACK_KEY) if isinstance(data, dict) else None
    return feedback if isinstance(feedback, dict) else None


def _card_of(event: Dict[str, Any]) -> Dict[str, Any] | None:
    custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
    card = custom.get("answer_card") if isinstance(custom, dict) else None
    return card if isinstance(card, dict) else None


@dataclass
class RatedAnswer:
    """One answer of a conversation that can be rated, with the user message it answers."""

    ref: str
    card: Dict[str, Any]
    texts: List[str]
    question: Dict[str, Any] | None  # the user event it answers
    card_index: int  # position of the card event in the events
    feedback: Dict[str, Any] | None = None  # the latest rating of it


def answers(events: Sequence[Dict[str, Any]]) -> List[RatedAnswer]:
    """Every rateable answer of a conversation, oldest first, each with its latest rating."""
    found: List[RatedAnswer] = []
    texts: List[str] = []
    question: Dict[str, Any] | None = None
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == "user":
            texts, question = [], event
        elif kind == "bot":
            card = _card_of(event)
            if event.get("text"):
                texts.append(str(event["text"]))
            if card is not None:
                if is_rated_card(card) and texts:
                    found.append(RatedAnswer(answer_ref(texts), card, list(texts), question, index))
                texts = []
        elif (feedback := feedback_of(event)) is not None:
            rated = find_answer(found, str(feedback.get("answer_ref") or ""))
            if rated is not None:
                rated.feedback = feedback
    return found


def find_answer(found: Sequence[RatedAnswer], ref: str) -> RatedAnswer | None:
    """The latest answer with ``ref`` (the same text twice is the same answer)."""
    return next((answer for answer in reversed(found) if answer.ref == ref), None)


def refs_of_reply(messages: Sequence[Dict[str, Any]]) -> List[str]:
    """The references of the rateable answers in one REST-style reply (a list of message dicts):
    what the Telegram bridge and the WeChat webhook put on their feedback buttons and prompts."""
    refs: List[str] = []
    texts: List[str] = []
    for message in messages:
        custom = message.get("custom")
        card = custom.get("answer_card") if isinstance(custom, dict) else None
        if isinstance(message.get("text"), str) and message["text"].strip():
            texts.append(message["text"])
        if isinstance(card, dict):
            if is_rated_card(card) and texts:
                refs.append(answer_ref(texts))
            texts = []
    return refs


def label(feedback: Dict[str, Any]) -> str:
    """``没用（信息不全：…）`` — how the console and the report show a rating."""
    text = RATINGS.get(str(feedback.get("rating")), str(feedback.get("rating")))
    reason = REASONS.get(str(feedback.get("reason") or ""))
    details = "：".join(part for part in (reason, feedback.get("comment")) if part)
    return f"{text}（{details}）" if details else text
