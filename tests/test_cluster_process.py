"""`make run-cluster` as a user runs it (``python -m bot.processes.cluster``): a replica that dies is
restarted while nginx keeps answering, and kill -9 of the command leaves no replica holding its
port (issue 17). Needs PostgreSQL, Redis and nginx, like the cluster tests in test_faults.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

import pytest

from bot.paths import PROJECT_DIR
from bot.processes.ports import free_port
from tests.test_process_lifecycle import kill_9_on_port, pids_on_port, wait_for
from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_run(length: int) -> int:
    """The first of ``length`` consecutive free ports (replicas and action servers are numbered)."""
    while True:
        base = free_port()
        if base + length < 65535 and all(port_is_free(base + i) for i in range(length)):
            return base


@dataclass
class ClusterRun:
    popen: subprocess.Popen
    log: Path
    front_port: int
    replica_ports: List[int]
    action_ports: List[int]

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def ports(self) -> List[int]:
        return [self.front_port, *self.replica_ports, *self.action_ports]


@pytest.fixture(scope="module")
def cluster_run(
    trained_model: Path, postgres_database: str, redis_key_prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClusterRun]:
    front, first_replica, first_action = free_port(), free_run(2), free_run(2)
    env = dict(
        os.environ, DATABASE_URL=postgres_database, REDIS_URL="redis://127.0.0.1:6379/1",
        REDIS_KEY_PREFIX=redis_key_prefix,
    )  # fmt: skip
    command = [
        sys.executable, "-m", "bot.processes.cluster", "--replicas", "2", "--port", str(front),
        "--first-replica-port", str(first_replica), "--first-action-port", str(first_action),
    ]  # fmt: skip
    log = tmp_path_factory.mktemp("cluster-run") / "cluster.log"
    with log.open("wb") as output:
        popen = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
    run = ClusterRun(popen, log, front, [first_replica, first_replica + 1], [first_action, first_action + 1])
    try:
        wait_for(lambda: "cluster is ready" in run.output() or popen.poll() is not None, 900, "cluster not ready")
        assert popen.poll() is None, run.output()[-3000:]
        yield run
    finally:
        if popen.poll() is None:
            popen.kill()
        for port in run.ports():
            for pid, _ in pids_on_port(port):
                os.kill(pid, signal.SIGKILL)


def test_a_dead_replica_is_restarted_while_nginx_keeps_answering(cluster_run: ClusterRun) -> None:
    front = AssistantClient(f"http://127.0.0.1:{cluster_run.front_port}")
    sender = front.new_sender()
    assert "第13条" in front.ask(sender, "徽商服务卡有什么用", timeout=120).text
    kill_9_on_port(cluster_run.replica_ports[0])
    for question in ("那谁能办？", "徽商服务卡有什么用"):  # the other replica answers meanwhile
        assert "第13条" in front.ask(sender, question, timeout=120).text
    replica = AssistantClient(f"http://127.0.0.1:{cluster_run.replica_ports[0]}")
    wait_for(lambda: "第13条" in replica.ask(sender, "徽商服务卡有什么用", timeout=120).text, 900, "replica not back")
    assert "The Rasa server 1 was restarted" in cluster_run.output()
    assert cluster_run.popen.poll() is None


def test_kill_9_of_make_run_cluster_leaves_no_process_on_its_ports(cluster_run: ClusterRun) -> None:
    assert all(pids_on_port(port) for port in cluster_run.replica_ports + cluster_run.action_ports)
    cluster_run.popen.kill()  # kill -9: no handler, no finally
    cluster_run.popen.wait(timeout=30)
    wait_for(
        lambda: all(not pids_on_port(p) and port_is_free(p) for p in cluster_run.ports()),
        120, "a replica, action server or nginx outlived kill -9 of make run-cluster",
    )  # fmt: skip
