"""Every replica serves the approved model: a background task of each Rasa server polls the approval
record (bot/stores/approved_model.py) and switches to the model it names (model_switch.py: loaded
beside the serving one, swapped between turns, no downtime).

The replica whose review inbox ran the gate switches at once and then writes the approval; the others
(`make run-cluster`) follow within ``MODEL_FOLLOW_INTERVAL_S`` (default 5 s), and so does a replica
the supervisor restarted on its start-up model. A model is loaded only from the project's or the
review workspace's ``models/`` folder, whatever the record says; a model that does not load is
logged once and the replica keeps serving the one it has.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any, Callable, Iterable

from bot.channels.webchat import model_switch
from bot.stores.approved_model import Approval, ApprovalRecord

logger = logging.getLogger(__name__)

INTERVAL_ENV = "MODEL_FOLLOW_INTERVAL_S"
DEFAULT_INTERVAL_S = 5.0


def interval_s() -> float:
    try:
        return max(0.5, float(os.environ.get(INTERVAL_ENV, DEFAULT_INTERVAL_S)))
    except ValueError:
        return DEFAULT_INTERVAL_S


def allowed_path(approval: Approval, model_dirs: Iterable[Path]) -> Path | None:
    """The approved model's file if it is a model file inside one of ``model_dirs``, else None."""
    path = Path(approval.model_path).resolve()
    if path.name != approval.model or not path.name.endswith(".tar.gz") or not path.is_file():
        return None
    for folder in model_dirs:
        if path.is_relative_to(folder.resolve()):
            return path
    return None


class ModelFollower:
    """Keeps one Rasa server's agent on the approved model."""

    def __init__(self, agent: Callable[[], Any], record: ApprovalRecord, model_dirs: Iterable[Path]) -> None:
        self.agent = agent
        self.record = record
        self.model_dirs = list(model_dirs)
        served = model_switch.serving_model(agent())
        self.started = served.name if served else None
        self.refused: str | None = None  # the approval logged as not loadable (logged once)

    async def check(self) -> bool:
        """One poll: switch if the record names a model this replica should follow. True if switched."""
        loop = asyncio.get_running_loop()
        try:
            approval = await loop.run_in_executor(None, self.record.read)
        except Exception as error:  # noqa: BLE001 - an unreachable record must not stop serving
            logger.warning(f"The approved-model record could not be read: {error}")
            return False
        async with model_switch.lock():
            agent = self.agent()
            serving = model_switch.serving_model(agent)
            if approval is None or not approval.followed_by(self.started, serving.name if serving else None):
                return False
            key = f"{approval.model}@{approval.at}"
            if self.refused == key:
                return False
            path = allowed_path(approval, self.model_dirs)
            if path is None:
                self.refused = key
                logger.error(f"Not following the approved model {approval.model_path}: no such model file here.")
                return False
            try:
                before = await model_switch.switch(agent, path)
            except Exception:  # noqa: BLE001 - a model that does not load must not stop serving
                self.refused = key
                logger.exception(f"The approved model {approval.model} did not load; the serving model stays")
                return False
        logger.info(f"Following the approved model: serving {path.name} (replaced {before.name if before else None})")
        return True

    async def run(self, interval: float) -> None:
        while True:
            await self.check()
            await asyncio.sleep(interval)


def attach(blueprint: Any, record: Callable[[], ApprovalRecord], model_dirs: Callable[[], Iterable[Path]]) -> None:
    """Start the follower with the server (after Rasa loaded the agent) and stop it with the server."""

    @blueprint.listener("after_server_start")
    async def start(app: Any, _loop: Any) -> None:
        if getattr(app.ctx, "agent", None) is None:
            return
        follower = ModelFollower(lambda: app.ctx.agent, record(), model_dirs())
        app.ctx.model_follower_task = asyncio.ensure_future(follower.run(interval_s()))

    @blueprint.listener("before_server_stop")
    async def stop(app: Any, _loop: Any) -> None:
        task = getattr(app.ctx, "model_follower_task", None)
        if task is not None:
            task.cancel()
