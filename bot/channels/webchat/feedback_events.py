"""Ratings from the web chat widget: the socket.io event ``answer_feedback``.

The widget sends ``{"answer_ref", "rating", "reason"?, "comment"?}`` on its own connection, so
the rating is stored in the conversation of the session this socket joined, never one it names;
the socket gets ``feedback_saved`` ``{"answer_ref", "rating", "reason"?}`` or ``feedback_error``
``{"error"}`` back (bot/channels/feedback.py, bot/channels/feedback_store.py).
"""

from __future__ import annotations

from typing import Any, Callable

from socketio import AsyncServer

from bot.channels.feedback import FeedbackError, make_feedback
from bot.channels.feedback_store import store_feedback

CHANNEL = "webchat"


def register(sio: AsyncServer, agent: Callable[[], Any]) -> None:
    @sio.on("answer_feedback")
    async def answer_feedback(sid: str, data: Any) -> None:
        session_id = (await sio.get_session(sid) or {}).get("session_id")
        current = agent()
        if not session_id or current is None:
            await sio.emit("feedback_error", {"error": "not connected to a conversation yet"}, room=sid)
            return
        try:
            stored = await store_feedback(current, session_id, make_feedback(data, CHANNEL))
        except FeedbackError as error:
            await sio.emit("feedback_error", {"error": str(error)}, room=sid)
            return
        feedback = stored.feedback
        await sio.emit(
            "feedback_saved",
            {"answer_ref": feedback.answer_ref, "rating": feedback.rating, "reason": feedback.reason},
            room=sid,
        )
