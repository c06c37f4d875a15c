"""Storing a rating in the conversation's tracker, inside the Rasa server (every channel ends here).

The rating is appended as an ``agent`` event under the conversation's lock, the way Rasa's own
``POST /conversations/<id>/tracker/events`` appends events: through the agent's tracker store,
without running the NLU or the policies (bot/channels/feedback.py says why that event changes no
prediction). The tracker store is the conversation's one home, so a rating survives restarts and
is seen by every replica sharing the store.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Dict, List

from rasa.shared.core.events import AgentUttered
from sanic import Sanic
from sanic.exceptions import SanicException

from bot.channels.feedback import Feedback, FeedbackError, RatedAnswer, answers, feedback_of, find_answer


class NoSuchAnswer(FeedbackError):
    """The conversation has no rateable answer with that reference (a 404 for the HTTP routes)."""


@dataclass
class Stored:
    answer: RatedAnswer
    feedback: Feedback


async def store_feedback(agent: Any, sender_id: str, feedback: Feedback) -> Stored:
    """Append ``feedback`` to ``sender_id``'s conversation; refuses a reference its current session
    has not answered."""
    async with agent.lock_store.lock(sender_id):
        # The current session's tracker: saving a tracker of every session would store the events of
        # the earlier sessions a second time (the SQL store appends what follows the last session start).
        tracker = await agent.tracker_store.retrieve(sender_id)
        events: List[Dict[str, Any]] = [] if tracker is None else [event.as_dict() for event in tracker.events]
        answer = find_answer(answers(events), feedback.answer_ref)
        if tracker is None or answer is None:
            raise NoSuchAnswer("this conversation has no answer with that answer_ref")
        if not feedback.channel:  # the channel the rated answer was asked on
            feedback = replace(feedback, channel=str((answer.question or {}).get("input_channel") or "rest"))
        tracker.update(AgentUttered(text=None, data=feedback.as_data(), timestamp=feedback.given_at))
        await agent.tracker_store.save(tracker)
    return Stored(answer, feedback)


async def latest_answer(agent: Any, sender_id: str) -> RatedAnswer | None:
    """The answer to the conversation's last user message, if that answer can be rated (what a
    WeChat user's "有用" / "没用" is about: the keywords carry no reference)."""
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return None
    events = [event.as_dict() for event in tracker.events]
    found = answers(events)
    last_user = max((i for i, event in enumerate(events) if event.get("event") == "user"), default=-1)
    return found[-1] if found and found[-1].card_index > last_user else None


async def latest_feedback(agent: Any, sender_id: str) -> Dict[str, Any] | None:
    """The conversation's last rating if nothing but ratings came after it (a WeChat reason
    letter completes it; after a new question it would be about nothing)."""
    tracker = await agent.tracker_store.retrieve(sender_id)
    for event in reversed([] if tracker is None else [e.as_dict() for e in tracker.events]):
        feedback = feedback_of(event)
        if feedback is not None:
            return feedback
        if event.get("event") in ("user", "bot"):
            return None
    return None


def current_agent() -> Any:
    """The Rasa server's agent (on the one Sanic app of this process); None before it is up.

    Looked up at each use: a model switch replaces ``app.ctx.agent``."""
    try:
        return Sanic.get_app().ctx.agent
    except (SanicException, AttributeError):
        return None
