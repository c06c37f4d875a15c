"""Replacing the serving model without downtime, inside the Rasa server process.

What Rasa's ``PUT /model`` does, minus the pause: the new model is loaded into a new
``MessageProcessor`` on a worker thread (tens of seconds of CPU that would otherwise stall every
conversation), then the agent's processor is swapped in one assignment on the event loop. A turn
already running finishes on the old processor it started with; every later turn gets the new one.
Same tracker store, lock store, action endpoint: no conversation notices. Each switch is a line of
``reviews/switches.jsonl`` with the scores the gate measured.

Two switches of one server never overlap: the review inbox's switch after a passed gate and the
follower's (model_follower.py, which brings every replica to the approved model) both hold ``lock()``.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Dict

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.processor import MessageProcessor

_locks: Dict[int, asyncio.Lock] = {}


def lock() -> asyncio.Lock:
    """The one switch lock of the running event loop."""
    loop = asyncio.get_running_loop()
    return _locks.setdefault(id(loop), asyncio.Lock())


def serving_model(agent: Any) -> Path | None:
    processor = getattr(agent, "processor", None)
    return Path(processor.model_path) if processor is not None else None


async def switch(agent: Any, model: Path) -> Path | None:
    """Serve ``model`` from now on; returns the model served before."""
    before = serving_model(agent)

    def load() -> MessageProcessor:
        return MessageProcessor(
            model_path=model, tracker_store=agent.tracker_store, lock_store=agent.lock_store,
            action_endpoint=agent.action_endpoint, generator=agent.nlg, http_interpreter=agent.http_interpreter,
        )  # fmt: skip

    processor = await asyncio.get_running_loop().run_in_executor(None, load)
    agent.processor = processor  # the switch: one assignment on the event loop
    agent.domain = processor.domain
    agent.tracker_store.domain = processor.domain
    if isinstance(agent.nlg, TemplatedNaturalLanguageGenerator):
        agent.nlg.responses = processor.domain.responses
    return before


def log_switch(workspace: Path, model: Path, before: Path | None, result: Dict[str, Any], who: str) -> Dict[str, Any]:
    entry = {"at": time.time(), "by": who, "model": model.name, "model_path": str(model),
             "replaced": before.name if before else None, "scores": result.get("candidate_scores"),
             "replaced_scores": result.get("serving_scores"), "checks": result.get("checks")}  # fmt: skip
    path = workspace / "reviews" / "switches.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry
