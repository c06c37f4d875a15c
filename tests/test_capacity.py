"""make run-cluster starts one replica per core, as many as the memory holds; make run says how to use
the cores its single server leaves idle (bot/processes/capacity.py)."""

from __future__ import annotations

import pytest

from bot.processes import capacity


@pytest.mark.parametrize(
    ("cores", "free_mb", "replicas"),
    [(2, 24_000, 2), (8, 24_000, 8), (16, 8_000, 8000 // capacity.MB_PER_REPLICA), (4, 500, 1), (3, None, 3)],
)
def test_one_replica_per_core_as_many_as_memory_holds(monkeypatch, cores: int, free_mb, replicas: int) -> None:
    monkeypatch.setattr(capacity, "cores", lambda: cores)
    monkeypatch.setattr(capacity, "available_mb", lambda: free_mb)
    assert capacity.default_replicas() == replicas


def test_the_banner_names_make_run_cluster_only_when_cores_sit_idle(monkeypatch) -> None:
    monkeypatch.setattr(capacity, "available_mb", lambda: 24_000)
    monkeypatch.setattr(capacity, "cores", lambda: 1)
    assert capacity.scale_out_hint() is None
    monkeypatch.setattr(capacity, "cores", lambda: 4)
    hint = capacity.scale_out_hint()
    assert "1 of 4" in hint and "make run-cluster" in hint and "4 replicas" in hint
