"""The nginx that `make run-cluster` writes (bot/processes/cluster.py), run for real in front of two
fake replicas that claim each message's delivery as the real REST channel does
(bot/channels/rest/deliveries.py, one claim store shared by both, as Redis is): a turn is never run
twice, and a dead replica is still skipped.

A replica that fails *after* it read a message may already have stored or answered it; the other
replica must then not run it again (two turns, two answers, the user message twice in the
conversation). A replica that never read it (refused, or dying) is skipped, POST included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, List, Tuple

import httpx
import pytest
from aiohttp import web

from bot.channels.rest.deliveries import HEADER, Deliveries
from bot.processes import cluster
from bot.processes.ports import free_port
from tests.support.threaded_server import ThreadedServer

TURN = "/webhooks/rest/webhook"


class Replica:
    """A fake Rasa server: answers GET / (nginx's readiness check), claims each message's delivery
    and runs (counts) the turns it may run."""

    def __init__(self, dies_mid_turn: bool, deliveries: Deliveries) -> None:
        self.read: List[str] = []  # the request id of every message it read
        self.turns: List[bytes] = []  # the messages it ran
        self.dies_mid_turn = dies_mid_turn
        self.deliveries = deliveries
        app = web.Application()
        app.router.add_get("/", self.health)
        app.router.add_post(TURN, self.turn)
        app.router.add_get("/{tail:.+}", self.other)
        self.server = ThreadedServer(app).start()

    async def health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def turn(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.read.append(request.headers.get(HEADER, ""))
        if not self.deliveries.first_delivery(request.headers.get(HEADER)):
            return web.json_response([{"recipient_id": "x", "text": "interrupted"}])
        self.turns.append(body)
        if self.dies_mid_turn:
            # Read the message, began its turn, then the connection breaks before any answer.
            assert request.transport is not None
            request.transport.abort()
        return web.json_response([{"recipient_id": "x", "text": "ok"}])

    async def other(self, request: web.Request) -> web.Response:
        if self.dies_mid_turn:
            assert request.transport is not None
            request.transport.abort()
        return web.json_response({"events": []})


@pytest.fixture
def front(tmp_path: Path) -> Iterator[Tuple[str, Replica, Replica]]:
    cluster.ensure_nginx()
    shared = Deliveries()  # what Redis is to the real replicas
    dying, healthy = Replica(dies_mid_turn=True, deliveries=shared), Replica(dies_mid_turn=False, deliveries=shared)
    port = free_port()
    nginx = cluster.start_nginx(tmp_path / "nginx", port, [dying.server.port, healthy.server.port], tmp_path)
    try:
        yield f"http://127.0.0.1:{port}", dying, healthy
    finally:
        nginx.stop()
        for replica in (dying, healthy):
            replica.server.stop()


def test_a_turn_that_failed_on_one_replica_is_not_run_again_on_another(front) -> None:
    url, dying, healthy = front
    replies = []
    with httpx.Client(timeout=30) as http:
        for i in range(6):
            reply = http.post(url + TURN, json={"sender": f"s{i}", "message": f"第{i}条消息"})
            replies.append((reply.status_code, reply.json()[0]["text"] if reply.status_code == 200 else None))
    assert dying.turns, "round robin sent no message to the failing replica: the test proved nothing"
    # nginx handed each message the failing replica had read to the other one, under the same id …
    assert dying.read and set(dying.read) <= set(healthy.read) and all(dying.read), (dying.read, healthy.read)
    # … which did not run it again: every message ran once, the interrupted ones were told so.
    assert len(dying.turns) + len(healthy.turns) == 6, replies
    assert [text for _, text in replies].count("interrupted") == len(dying.turns), replies
    assert all(status == 200 for status, _ in replies), replies


def test_a_replica_that_is_gone_is_skipped_for_turns_too(tmp_path: Path) -> None:
    cluster.ensure_nginx()
    shared = Deliveries()
    first, second = Replica(dies_mid_turn=False, deliveries=shared), Replica(dies_mid_turn=False, deliveries=shared)
    port = free_port()
    nginx = cluster.start_nginx(tmp_path / "nginx", port, [first.server.port, second.server.port], tmp_path)
    try:
        with httpx.Client(timeout=30) as http:
            for i in range(4):  # both replicas serve (and nginx may keep connections to them)
                assert http.post(f"http://127.0.0.1:{port}{TURN}", json={"sender": "a", "message": str(i)}).is_success
            first.server.stop()  # the replica is gone: its port refuses connections
            before = len(second.turns)
            statuses = [
                http.post(f"http://127.0.0.1:{port}{TURN}", json={"sender": "a", "message": f"after {i}"}).status_code
                for i in range(4)
            ]
        assert statuses == [200] * 4
        assert len(second.turns) - before == 4
    finally:
        nginx.stop()
        second.server.stop()


SENDER = "telegram:5551234567"
SESSION = "0123456789abcdef0123456789abcdef"
API_TOKEN = "s3cret-api-token-in-a-query"


def test_nginx_logs_name_no_token_sender_or_session(front, tmp_path: Path) -> None:
    """A failed request is written to nginx's error log with its request line: the path (a sender id,
    a web chat session id) and the query string (Rasa's API token) must not be in it."""
    url, dying, healthy = front
    with httpx.Client(timeout=30) as http:
        for _ in range(2):  # round robin: at least one of each reaches the failing replica
            http.get(f"{url}/conversations/{SENDER}/tracker?token={API_TOKEN}")
            http.get(f"{url}/webchat/history/{SESSION}?token={API_TOKEN}")
            http.post(url + TURN, json={"sender": SENDER, "message": "x"})
    logs = {path: path.read_text(errors="replace") for path in tmp_path.rglob("*.log")}
    assert any("upstream" in text for text in logs.values()), f"no failure was logged: {list(logs)}"
    for path, text in logs.items():
        for secret in (API_TOKEN, SENDER, "5551234567", SESSION):
            assert secret not in text, f"{secret} in {path.name}"
