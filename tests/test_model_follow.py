"""Every replica serves the model the gate approved (bot/stores/approved_model.py,
bot/channels/webchat/model_follower.py), not only the replica whose review inbox ran the gate.

The rules are unit-tested on the record (file and real Redis). The end-to-end test runs two real
Rasa servers sharing one Redis, as `make run-cluster`'s replicas do, both serving the trained model;
it then records an approval the way the gate's replica does after its own switch
(``approve``, called by review_inbox.Retraining) and checks that both servers switch to the approved
model and answer with it.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from bot.channels.webchat.model_follower import allowed_path
from bot.stores.approved_model import (
    Approval,
    FileApprovalRecord,
    RedisApprovalRecord,
    approve,
    record_from_env,
)
from tests.support.review_workspace import MAINTAINER, MAINTAINER_TOKEN, server_env

REDIS_URL = "redis://127.0.0.1:6379/1"


def test_an_approval_continues_the_lineage_of_the_model_it_replaced(tmp_path: Path) -> None:
    record = FileApprovalRecord(tmp_path / "approved.json")
    assert record.read() is None
    first = approve(record, Path("/m/b.tar.gz"), Path("/m/a.tar.gz"), "alice")
    assert (first.model, first.replaced, first.lineage, first.by) == ("b.tar.gz", "a.tar.gz", ["a.tar.gz"], "alice")
    second = approve(record, Path("/m/c.tar.gz"), Path("/m/b.tar.gz"), "bob")
    assert second.lineage == ["a.tar.gz", "b.tar.gz"] and record.read() == second
    # A replica started on a or serving b follows c; one serving c, or a newer model of other inputs, does not.
    assert second.followed_by("a.tar.gz", "a.tar.gz") and second.followed_by("x.tar.gz", "b.tar.gz")
    assert not second.followed_by("a.tar.gz", "c.tar.gz")
    assert not second.followed_by("wanqi-new.tar.gz", "wanqi-new.tar.gz")
    # An approval replacing a model outside the lineage starts a new one.
    assert approve(record, Path("/m/e.tar.gz"), Path("/m/d.tar.gz"), "alice").lineage == ["d.tar.gz"]
    # Going back to an older model: every replica on the model it replaced follows.
    back = approve(record, Path("/m/d.tar.gz"), Path("/m/e.tar.gz"), "alice")
    assert back.lineage == ["e.tar.gz"] and back.followed_by("d.tar.gz", "e.tar.gz")


def test_a_broken_record_reads_as_no_approval(tmp_path: Path) -> None:
    path = tmp_path / "approved.json"
    for content in ("", "{", "[]", '{"model": "b.tar.gz"}', '{"model": 1, "model_path": "x", "at": "soon"}'):
        path.write_text(content, encoding="utf-8")
        assert FileApprovalRecord(path).read() is None, content


def test_the_record_is_in_redis_when_the_replicas_share_one(redis_key_prefix: str, tmp_path: Path) -> None:
    env = {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": redis_key_prefix}
    record = record_from_env(tmp_path, env)
    assert isinstance(record, RedisApprovalRecord) and record.read() is None
    approval = approve(record, Path("/m/b.tar.gz"), Path("/m/a.tar.gz"), "alice")
    assert record_from_env(tmp_path, env).read() == approval  # what another replica reads
    assert not (tmp_path / "var").exists()
    assert isinstance(record_from_env(tmp_path, {}), FileApprovalRecord)


def test_only_a_model_file_of_the_models_folders_is_loaded(tmp_path: Path) -> None:
    models, elsewhere = tmp_path / "models", tmp_path / "elsewhere"
    (models / "candidates").mkdir(parents=True)
    elsewhere.mkdir()
    good = models / "candidates" / "candidate-1.tar.gz"
    outside = elsewhere / "candidate-2.tar.gz"
    for path in (good, outside):
        path.write_bytes(b"model")

    def approval(path: Path, name: str | None = None) -> Approval:
        return Approval(model=name or path.name, model_path=str(path), replaced=None, by="x", at=0.0)

    assert allowed_path(approval(good), [models]) == good.resolve()
    assert allowed_path(approval(outside), [models]) is None
    assert allowed_path(approval(models / "candidates" / ".." / ".." / "elsewhere" / outside.name), [models]) is None
    assert allowed_path(approval(good, "another-name.tar.gz"), [models]) is None
    assert allowed_path(approval(models / "missing.tar.gz"), [models]) is None
    (models / "notes.txt").write_text("x")
    assert allowed_path(approval(models / "notes.txt"), [models]) is None


def _serving(url: str) -> str | None:
    request = urllib.request.Request(
        f"{url}/review/api/retrain", headers={"Authorization": f"Bearer {MAINTAINER_TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())["serving_now"]


@pytest.fixture
def two_replicas(trained_model: Path, redis_key_prefix: str, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    from bot.processes.servers import start_private_stack

    env = {
        **server_env(tmp_path / "workspace"),
        "REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": redis_key_prefix, "MODEL_FOLLOW_INTERVAL_S": "1",
    }  # fmt: skip
    stacks = []
    try:
        for name in ("one", "two"):
            (tmp_path / name).mkdir()
            stacks.append(start_private_stack(trained_model, tmp_path / name, extra_env=env))
        yield {"stacks": stacks, "workspace": Path(env["REVIEW_WORKSPACE"]), "env": env}
    finally:
        for stack in stacks:
            stack.stop()


@pytest.mark.server
def test_every_replica_switches_to_the_approved_model(two_replicas: Dict[str, Any], trained_model: Path) -> None:
    from tools.assistant_client import AssistantClient

    urls = [stack.rasa_url for stack in two_replicas["stacks"]]
    assert [_serving(url) for url in urls] == [trained_model.name] * 2
    # The candidate the gate passed (here the same weights under a candidate's name and place).
    candidate = two_replicas["workspace"] / "models" / "candidates" / "candidate-20261204-000000.tar.gz"
    candidate.parent.mkdir(parents=True)
    shutil.copy2(trained_model, candidate)
    approve(record_from_env(two_replicas["workspace"], two_replicas["env"]), candidate, trained_model, MAINTAINER)

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and any(_serving(url) != candidate.name for url in urls):
        time.sleep(2)
    assert [_serving(url) for url in urls] == [candidate.name] * 2
    for url in urls:
        assert AssistantClient(url).ask(AssistantClient(url).new_sender(), "徽商服务卡有什么用").card["citations"] == [
            13
        ]
