"""The maintainers' review inbox at /review/: what the assistant missed, the decisions that turn it
into training data, retraining behind the model gate, and the log of model switches.

A role of its own, not the staff console's: sign-in with a token of ``MAINTAINER_TOKENS``
(``name:token,name:token`` — the name is recorded with each decision) or ``MAINTAINER_TOKEN``
(recorded as "maintainer"); ``CONSOLE_TOKEN`` opens nothing here. Without either, /review/ is off.
Decisions are written to the project in ``REVIEW_WORKSPACE`` (default: this checkout).

- GET  /review/api/inbox       the messages that fell back, scored low, were rated 没用 or handed to
                               staff, near copies grouped, most frequent first (review_items.py)
- GET  /review/api/options     measures, aspects, FAQs and chit-chat intents a decision may name
- POST /review/api/decisions   one decision → training data (bot/training/review_data.py); 409 with
                               the problems when a check refuses it, nothing written
- POST /review/api/retrain     train + gate in the background (bot/training/gate.py); 409 if running
- GET  /review/api/retrain     its progress and, at the end, the checks and the numbers that fell
- GET  /review/api/switches    every model switch with its scores
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Dict, List

import yaml
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.webchat import model_follower, model_switch
from bot.channels.webchat.review_items import group, occurrences
from bot.channels.webchat.signed_in import StaffArea
from bot.paths import MODELS_DIR, PROJECT_DIR
from bot.stores.approved_model import approve, record_from_env
from bot.training.gate import Status, switch_log
from bot.training.review_data import CHITCHAT_INTENTS, DecisionRefused, Workspace, apply, comparable, decisions
from knowledge.aspects import aspects
from knowledge.faq import load_entries

logger = logging.getLogger(__name__)

COOKIE_NAME = "wanqi_review"
MAX_CONVERSATIONS = 2000
DISABLED = "the review inbox is disabled: set MAINTAINER_TOKENS (name:token,…) or MAINTAINER_TOKEN"


def maintainers() -> Dict[str, str]:
    """token → maintainer name."""
    named = {}
    for item in os.environ.get("MAINTAINER_TOKENS", "").split(","):
        name, _, token = item.strip().partition(":")
        if name and token:
            named[token] = name
    single = os.environ.get("MAINTAINER_TOKEN")
    if single:
        named.setdefault(single, "maintainer")
    return named


AREA = StaffArea(
    prefix="/review",
    cookie_name=COOKIE_NAME,
    title="维护台",
    token_name="维护令牌",
    token_label="维护令牌",
    token_setting="MAINTAINER_TOKENS / MAINTAINER_TOKEN",
    page_asset="review/index.html",
    script_asset="review/review.js",
    tokens=maintainers,
    disabled_explanation=DISABLED,
    disabled_error=DISABLED,
    unauthorised_error="sign in with a maintainer token",
)
requires_maintainer = AREA.requires


def maintainer(request: Request) -> str | None:
    """Who is signed in (a token as Bearer, or a signed session cookie: staff_sessions.py), or None."""
    found = AREA.signed_in(request)
    return found[0] if found else None


def workspace() -> Workspace:
    return Workspace(Path(os.environ.get("REVIEW_WORKSPACE") or PROJECT_DIR).resolve())


async def _inbox(agent: Any) -> List[Dict[str, Any]]:
    store = agent.tracker_store
    found = []
    for sender_id in list(await store.keys())[-MAX_CONVERSATIONS:]:
        tracker = await store.retrieve_full_tracker(sender_id)
        if tracker is not None:
            found += occurrences(sender_id, [e.as_dict() for e in tracker.events], comparable)
    resolved = {d.get("comparable") for d in decisions(workspace())}
    return [item.as_json() for item in group(found, resolved)]


def _options(space: Workspace) -> Dict[str, Any]:
    measures = []
    for path in sorted(space.measures_dir.glob("*/measures/*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        measures.append({"key": raw.get("key"), "number": raw.get("number"), "title": raw.get("title")})
    return {
        "measures": measures,
        "aspects": [{"key": a.key, "label": a.label} for a in aspects().values()],
        "faqs": [{"key": e.key, "question": e.questions[0]} for e in load_entries(space.faq_file)],
        "chitchat": list(CHITCHAT_INTENTS),
    }


class Retraining:
    """The one background retraining of this server (a second one waits for it to end)."""

    def __init__(self) -> None:
        self.task: asyncio.Task | None = None

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def status_path(self) -> Path:
        return workspace().root / "var" / "review" / "gate.json"

    async def run(self, agent: Any, who: str) -> None:
        space = workspace()
        serving = model_switch.serving_model(agent)
        status = Status(self.status_path())
        status.update(state="training", progress=0.0, step="starting the training", by=who)
        command = [sys.executable, "-m", "bot.training.gate", "--serving", str(serving),
                   "--workspace", str(space.root), "--status", str(self.status_path())]  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            *command, cwd=str(PROJECT_DIR), env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, errors = await process.communicate()
        result = json.loads(self.status_path().read_text(encoding="utf-8"))
        if process.returncode == 2 and result.get("state") != "failed":
            status.data = result
            status.update(state="failed", step=errors.decode(errors="replace")[-2000:])
            return
        if result.get("state") != "passed":
            return  # refused (or failed): the serving model stays; the status says which numbers fell
        status.data = result
        status.update(state="switching", step="loading the new model beside the serving one")
        candidate = Path(result["candidate"])
        async with model_switch.lock():
            try:
                before = await model_switch.switch(agent, candidate)
            except Exception as error:  # noqa: BLE001 - a model that does not load must not stop serving
                logger.exception("Loading the candidate failed; the serving model stays")
                status.update(state="failed", step=f"the candidate did not load: {error}")
                return
            entry = model_switch.log_switch(space.root, candidate, before, result, who)
            step = f"serving {entry['model']} (replaced {entry['replaced']})"
            try:  # every other replica follows the approval (model_follower.py)
                await asyncio.get_running_loop().run_in_executor(
                    None, lambda: approve(record_from_env(space.root), candidate, before, who)
                )
            except Exception as error:  # noqa: BLE001 - this replica switched; say the others did not
                logger.exception("The approval could not be recorded; other replicas keep their model")
                step += f"; the approval was not recorded, other replicas keep their model: {error}"
        status.update(state="switched", step=step)


def blueprint() -> Blueprint:
    review = AREA.blueprint("review_inbox")  # its page, script, sign-in and sign-out (signed_in.py)
    retraining = Retraining()
    # Every replica serves the model the gate approved on any of them (bot/stores/approved_model.py).
    model_follower.attach(
        review, lambda: record_from_env(workspace().root), lambda: [MODELS_DIR, workspace().root / "models"]
    )

    @review.get("/api/inbox")
    @requires_maintainer(api=True)
    async def inbox(request: Request) -> HTTPResponse:
        return response.json({"items": await _inbox(request.app.ctx.agent), "maintainer": request.ctx.signed_in})

    @review.get("/api/options")
    @requires_maintainer(api=True)
    async def options(_: Request) -> HTTPResponse:
        return response.json(_options(workspace()))

    @review.post("/api/decisions")
    @requires_maintainer(api=True)
    async def decide(request: Request) -> HTTPResponse:
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            return response.json({"error": "the body must be a JSON object"}, status=400)
        try:
            record = apply(workspace(), body, request.ctx.signed_in)
        except DecisionRefused as refused:
            return response.json({"error": "refused", "problems": refused.problems}, status=409)
        return response.json({"written": record})

    @review.post("/api/retrain")
    @requires_maintainer(api=True)
    async def retrain(request: Request) -> HTTPResponse:
        if retraining.running:
            return response.json({"error": "a retraining is already running"}, status=409)
        retraining.task = asyncio.ensure_future(retraining.run(request.app.ctx.agent, request.ctx.signed_in))
        return response.json({"started": True}, status=202)

    @review.get("/api/retrain")
    @requires_maintainer(api=True)
    async def retrain_status(request: Request) -> HTTPResponse:
        path = retraining.status_path()
        status = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"state": "idle"}
        serving = model_switch.serving_model(request.app.ctx.agent)
        return response.json(
            {**status, "running": retraining.running, "serving_now": serving.name if serving else None}
        )

    @review.get("/api/switches")
    @requires_maintainer(api=True)
    async def switches(_: Request) -> HTTPResponse:
        return response.json({"switches": switch_log(workspace().root)})

    return review
