"""The approved model: the one record every Rasa replica reads to know which model to serve.

The model gate (bot/training/gate.py) lets a candidate in on the replica whose review inbox ran it;
that replica switches and then writes the approval here. Every replica (bot/channels/webchat/
model_follower.py) polls the record and switches to the approved model, so `make run-cluster`'s
replicas all serve it within a poll interval, and a replica restarted on its start-up model comes
back to it.

Where it lives: in Redis when ``REDIS_URL`` is set (the replicas' shared lock store; key
``<REDIS_KEY_PREFIX>:approved_model``), otherwise in ``var/review/approved-model.json`` of the review
workspace (one server; the record then only carries the approval over a restart).

Which replicas follow it: one serving or started on a model the approved one descends from
(``lineage``: every model it replaced, in order). A model trained later from other inputs
(``make train``) is not in the lineage, so a server started on it is not switched back to an older
approval.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Protocol

RECORD_FILE = Path("var") / "review" / "approved-model.json"
REDIS_KEY = "approved_model"
DEFAULT_REDIS_PREFIX = "wanqi"
# A lineage longer than this keeps its newest models: enough to bring back any replica still running.
MAX_LINEAGE = 50


@dataclass(frozen=True)
class Approval:
    model: str  # file name, e.g. candidate-20261204-190000.tar.gz
    model_path: str
    replaced: str | None
    by: str
    at: float
    lineage: List[str] = field(default_factory=list)  # the models it replaced, oldest first

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes | None) -> Approval | None:
        """The approval in ``raw``, or None for a missing or malformed record (never raises)."""
        if not raw:
            return None
        try:
            data: Dict[str, Any] = json.loads(raw)
            return cls(
                model=str(data["model"]),
                model_path=str(data["model_path"]),
                replaced=None if data.get("replaced") is None else str(data["replaced"]),
                by=str(data.get("by") or ""),
                at=float(data.get("at") or 0.0),
                lineage=[str(name) for name in data.get("lineage") or []],
            )
        except (ValueError, TypeError, KeyError):
            return None

    def followed_by(self, started: str | None, serving: str | None) -> bool:
        """Should a replica started on ``started`` and serving ``serving`` (file names) switch to it?"""
        if serving == self.model:
            return False
        return any(name is not None and name in self.lineage for name in (serving, started))


class ApprovalRecord(Protocol):
    def read(self) -> Approval | None: ...

    def write(self, approval: Approval) -> None: ...


class FileApprovalRecord:
    """The record as a JSON file (one server); replaced atomically, so a reader never sees half."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> Approval | None:
        try:
            return Approval.from_json(self.path.read_text(encoding="utf-8"))
        except OSError:
            return None

    def write(self, approval: Approval) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(approval.as_json(), encoding="utf-8")
        temporary.replace(self.path)


class RedisApprovalRecord:
    """The record as one Redis key, shared by every replica using that Redis."""

    def __init__(self, url: str, key_prefix: str | None = None) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        self.key = f"{key_prefix or DEFAULT_REDIS_PREFIX}:{REDIS_KEY}"

    def read(self) -> Approval | None:
        return Approval.from_json(self.client.get(self.key))

    def write(self, approval: Approval) -> None:
        self.client.set(self.key, approval.as_json())


def record_from_env(workspace: Path, environ: Mapping[str, str] = os.environ) -> ApprovalRecord:
    """Redis when REDIS_URL is set (the replicas' shared store), else the workspace's file."""
    url = environ.get("REDIS_URL", "").strip()
    if url:
        return RedisApprovalRecord(url, environ.get("REDIS_KEY_PREFIX", "").strip() or None)
    return FileApprovalRecord(workspace / RECORD_FILE)


def approve(record: ApprovalRecord, model: Path, replaced: Path | None, by: str) -> Approval:
    """Record ``model`` as the one to serve, in place of ``replaced``; its lineage continues the
    previous approval's when ``replaced`` descends from it."""
    previous = record.read()
    lineage: List[str] = []
    if previous is not None and replaced is not None and replaced.name in (*previous.lineage, previous.model):
        lineage = [*previous.lineage, previous.model]
    if replaced is not None:
        lineage.append(replaced.name)
    lineage = [name for name in dict.fromkeys(lineage) if name != model.name][-MAX_LINEAGE:]
    approval = Approval(
        model=model.name,
        model_path=str(model),
        replaced=replaced.name if replaced else None,
        by=by,
        at=time.time(),
        lineage=lineage,
    )
    record.write(approval)
    return approval
