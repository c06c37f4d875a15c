"""Ratings typed in a WeChat chat, which has no buttons.

Under every answer that can be rated the reply asks "回复“有用”或“没用”": words, never numbers,
because a number answers the numbered choices (bot/channels/wechat/choices.py). After 没用 the
user may add a reason with a letter (A 答非所问 … D 其他), optionally followed by their own words
("D 没说去哪办"), or in the same message ("没用 信息不全"). Only a message that is nothing but one
of these is read as a rating; anything else is a question. Which answer it rates, and whether a
reason letter follows a 没用, is read from the conversation's tracker (bot/channels/feedback_store.py),
so it holds on any replica and after restarts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from bot.channels.channel_texts import channel_text
from bot.channels.feedback import NOT_USEFUL, RATINGS, REASONS, FeedbackError, make_feedback
from bot.channels.feedback_store import NoSuchAnswer, latest_answer, latest_feedback, store_feedback

CHANNEL = "wechat"
LETTERS = {chr(ord("A") + i): key for i, key in enumerate(REASONS)}
_WORDS = {label: rating for rating, label in RATINGS.items()}
_TRAILING = "。.!！~～ 　"
_LETTER_REPLY = re.compile(r"^([A-Da-d])(?:[\s:：.、，,]+(.*))?$", re.S)


@dataclass(frozen=True)
class TypedRating:
    rating: str | None  # useful | not_useful; None: a reason letter for the last 没用
    reason: str | None = None
    comment: str | None = None


def reason_choices() -> str:
    return "；".join(f"{letter} {REASONS[key]}" for letter, key in LETTERS.items())


def parse(text: str) -> TypedRating | None:
    """What a typed message says as a rating, or None when it is not one."""
    typed = unicodedata.normalize("NFKC", text).strip().rstrip(_TRAILING)
    if typed in _WORDS:
        return TypedRating(_WORDS[typed])
    for label, rating in _WORDS.items():
        rest = typed[len(label) :].strip(" ，,:：") if typed.startswith(label) and rating == NOT_USEFUL else None
        reason = next((key for key, name in REASONS.items() if rest == name), None) if rest else None
        if reason:
            return TypedRating(rating, reason)
    match = _LETTER_REPLY.match(typed)
    if match:
        comment = (match.group(2) or "").strip() or None
        return TypedRating(None, LETTERS[match.group(1).upper()], comment)
    return None


class WeChatFeedback:
    """Stores a typed rating in the conversation; the webhook asks it before asking the assistant."""

    def __init__(self, agent: Callable[[], Any]) -> None:
        self._agent = agent

    async def __call__(self, sender: str, text: str) -> str | None:
        """The reply to ``text`` if it is a rating (stored), None if it is a question."""
        typed = parse(text)
        if typed is None:
            return None
        agent = self._agent()
        if agent is None:
            return None
        if typed.rating is None:  # a reason letter: only right after a 没用 with no reason yet
            last = await latest_feedback(agent, sender)
            if not last or last.get("rating") != NOT_USEFUL or last.get("reason"):
                return None
            raw = {"answer_ref": last.get("answer_ref"), "rating": NOT_USEFUL, "reason": typed.reason,
                   "comment": typed.comment}  # fmt: skip
        else:
            answer = await latest_answer(agent, sender)
            if answer is None:
                return channel_text(CHANNEL, "feedback_nothing_to_rate")
            raw = {"answer_ref": answer.ref, "rating": typed.rating, "reason": typed.reason}
        try:
            await store_feedback(agent, sender, make_feedback(raw, CHANNEL))
        except (NoSuchAnswer, FeedbackError):
            return channel_text(CHANNEL, "feedback_failed")
        if raw["rating"] == NOT_USEFUL and not raw.get("reason"):
            return channel_text(CHANNEL, "feedback_why", choices=reason_choices())
        return channel_text(CHANNEL, "feedback_reason_thanks" if raw.get("reason") else "feedback_thanks")


FeedbackRecorder = Callable[[str, str], Awaitable[str | None]]
