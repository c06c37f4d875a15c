"""The action server is no door (issue 17): it listens on loopback only, refuses callers without the
token when one is set, and a compressed body cannot make it inflate gigabytes. These start a real
action server (``python -m bot.action_server``, as make run does) on a free port."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from typing import Dict, Iterator, Tuple

import pytest

from bot.processes import servers
from bot.processes.ports import free_port

TOKEN = "action-test-token-0123456789abcdef"
# What Rasa sends to run one action: enough for rasa_sdk to answer 200.
ACTION_CALL = {
    "next_action": "action_leave_eligibility",
    "sender_id": "action-server-test",
    "version": "3.6.2",
    "tracker": {"sender_id": "action-server-test", "slots": {}, "latest_message": {}, "events": [],
                "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": None},
    "domain": {"slots": {}, "responses": {}, "intents": [], "entities": [], "actions": [], "forms": {}},
}  # fmt: skip


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[int, servers.ManagedProcess]]:
    port = free_port()
    process = servers.start_action_server(
        port, tmp_path_factory.mktemp("action-server"), extra_env={"ACTION_SERVER_TOKEN": TOKEN}
    )
    try:
        yield port, process
    finally:
        process.stop()


def post(port: int, body: bytes, headers: Dict[str, str]) -> Tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhook", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def listening_addresses(port: int) -> set:
    """Local addresses of the sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                found.add(address)
    return found


def deflate_bomb(inflated_bytes: int) -> bytes:
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    parts = [compressor.compress(chunk) for _ in range(inflated_bytes // len(chunk))]
    return b"".join(parts) + compressor.flush()


def test_action_server_listens_on_loopback_only(action_server) -> None:
    port, _ = action_server
    assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, not 0.0.0.0 or ::


def test_action_server_refuses_a_caller_without_the_token(action_server) -> None:
    port, _ = action_server
    body = json.dumps(ACTION_CALL).encode()
    assert post(port, body, {"Content-Type": "application/json"})[0] == 401
    assert post(port, body, {"Content-Type": "application/json", "X-Action-Token": "wrong"})[0] == 401
    status, answer = post(port, body, {"Content-Type": "application/json", "X-Action-Token": TOKEN})
    assert status == 200, answer


def test_a_deflate_bomb_is_refused_and_the_server_keeps_answering(action_server) -> None:
    port, process = action_server
    bomb = deflate_bomb(256 << 20)  # ~250 KB that inflate to 256 MB (3 MB would be 3 GB)
    assert len(bomb) < 1 << 20
    headers = {"Content-Type": "application/json", "Content-Encoding": "deflate", "X-Action-Token": TOKEN}
    status, _ = post(port, bomb, headers)
    assert status == 413
    assert process.popen.poll() is None
    # Rasa's own compressed calls (COMPRESS_ACTION_SERVER_REQUEST) still work.
    status, answer = post(port, zlib.compress(json.dumps(ACTION_CALL).encode()), headers)
    assert status == 200, answer


@pytest.mark.parametrize("encoding", ["gzip", "br", "deflate, gzip"])
def test_other_content_encodings_are_refused(action_server, encoding: str) -> None:
    port, _ = action_server
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding, "X-Action-Token": TOKEN}
    assert post(port, zlib.compress(json.dumps(ACTION_CALL).encode()), headers)[0] == 415


def test_broken_deflate_is_a_clean_400(action_server) -> None:
    port, _ = action_server
    headers = {"Content-Type": "application/json", "Content-Encoding": "deflate", "X-Action-Token": TOKEN}
    assert post(port, b"not deflate at all", headers)[0] == 400
