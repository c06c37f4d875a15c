"""A clear reply, fast, when the action server is down or too slow.

Rasa 3.6 logs a failed custom-action call (RasaException from ``RemoteAction.run``), drops the
action's events and sends the user nothing; a hung action server makes the user wait up to five
minutes (``DEFAULT_REQUEST_TIMEOUT``). ``install()`` wraps ``RemoteAction.run`` in the Rasa server
process: the call gets ``ACTION_TIMEOUT_S`` seconds (default 20), and on a connection error,
non-200 answer or timeout the user gets ``unavailable_text()`` (channel_texts.yml) with a fallback answer card. A
rejection by the action server (``ActionExecutionRejection``, e.g. a form) keeps Rasa's meaning.
The next message calls the action server again, so the conversation continues once it is back.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from typing import Any, List

from bot.channels.channel_texts import channel_text
from knowledge.card import AnswerCard

logger = logging.getLogger(__name__)

# A refused connection (action server down) is answered at once, whatever this says. The timeout
# is for an action server that accepts but does not answer; it is generous because under load the
# Rasa server's own event loop (busy with NLU for other users) also delays reading the answer.
DEFAULT_ACTION_TIMEOUT_S = 20.0


def unavailable_text() -> str:
    return channel_text("common", "policy_base_unavailable")


def action_timeout_s() -> float:
    try:
        return max(0.1, float(os.environ.get("ACTION_TIMEOUT_S", DEFAULT_ACTION_TIMEOUT_S)))
    except ValueError:
        return DEFAULT_ACTION_TIMEOUT_S


def unavailable_events() -> List[Any]:
    from rasa.core.actions.action import create_bot_utterance

    card = AnswerCard(kind="fallback").as_message()
    return [create_bot_utterance({"text": unavailable_text()}), create_bot_utterance({"custom": card})]


def install() -> None:
    """Patch ``RemoteAction.run`` in this process (idempotent)."""
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.exceptions import RasaException

    if getattr(RemoteAction.run, "_answers_when_unavailable", False):
        return
    remote_run = RemoteAction.run

    @functools.wraps(remote_run)
    async def run_or_apologise(self: RemoteAction, *args: Any, **kwargs: Any) -> List[Any]:
        timeout = action_timeout_s()
        try:
            return await asyncio.wait_for(remote_run(self, *args, **kwargs), timeout=timeout)
        except ActionExecutionRejection:
            raise
        except asyncio.TimeoutError:
            logger.error(f"Action server did not answer '{self.name()}' within {timeout:g} s; told the user.")
        except RasaException as error:
            logger.error(f"Action server unavailable for '{self.name()}' ({error}); told the user.")
        return unavailable_events()

    run_or_apologise._answers_when_unavailable = True  # type: ignore[attr-defined]
    RemoteAction.run = run_or_apologise  # type: ignore[method-assign]
