"""`make report`'s handoff section from a tracker store with known handoffs (Rasa's own SQLTrackerStore)."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import AgentUttered, ConversationPaused, ConversationResumed, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from knowledge import hotline
from tools.report.__main__ import main as report_main
from tools.report.handoffs import analyse_handoffs, handoffs_of, knowledge_departments, percentile, read_handoff_events

T0 = 1_780_000_000.0


def record(at: float, **fields: Any) -> AgentUttered:
    return AgentUttered(data=hotline.handoff_data(hotline.HandoffRecord(at=at, **fields)), timestamp=at)  # type: ignore[typeddict-item]


def asked(at: float, channel: str) -> UserUttered:
    return UserUttered(
        "转人工", intent={"name": "request_human", "confidence": 1.0}, input_channel=channel, timestamp=at
    )


def handed_to_staff(channel: str, measure: str | None, wait_s: float | None, back_s: float, by: str) -> List[Any]:
    events = [asked(T0, channel), record(T0, stage="requested", mode="staff", channel=channel, measure=measure),
              ConversationPaused(timestamp=T0)]  # fmt: skip
    if wait_s is not None:
        events.append(record(T0 + wait_s, stage="first_reply", wait_s=wait_s))
    events += [ConversationResumed(timestamp=T0 + back_s),
               record(T0 + back_s, stage="handed_back", by=by, handoff_s=back_s, first_reply_s=wait_s)]  # fmt: skip
    return events


CONVERSATIONS: Dict[str, List[Any]] = {
    "alice": handed_to_staff("webchat", "fiscal_funds_and_guarantee", 60.0, 300.0, "staff"),
    "bob": handed_to_staff("telegram", "huishang_service_card", 240.0, 600.0, "staff"),
    "carol": handed_to_staff("wechat", None, None, 300.0, "timeout"),
    "dave": [
        asked(T0, "rest"),
        record(T0, stage="requested", mode="no_staff", channel="rest", measure="fiscal_funds_and_guarantee"),
        record(T0 + 50, stage="callback", channel="rest", question="担保费补贴", phone="13912345678"),
    ],
}


@pytest.fixture()
def tracker_url(tmp_path: Path) -> str:
    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))

    async def save_all() -> None:
        for sender, events in CONVERSATIONS.items():
            await store.save(DialogueStateTracker.from_events(sender, events))

    asyncio.run(save_all())
    store.engine.dispose()
    return f"sqlite:///{db}"


def test_handoffs_by_channel_and_department_with_wait_percentiles(tracker_url: str, knowledge_db: str) -> None:
    handoffs = handoffs_of(read_handoff_events(tracker_url), knowledge_departments(knowledge_db))
    report = analyse_handoffs(handoffs, target_s=180)
    assert len(report.handoffs) == 4 and report.to_staff == 3 and report.answered == 2
    assert dict(report.by_channel) == {"webchat": 1, "telegram": 1, "wechat": 1, "rest": 1}
    assert dict(report.by_department) == {"省财政": 2, "安徽省经济和信息化厅": 1, "未指明": 1}
    assert report.wait_percentiles == {"p50": pytest.approx(150.0), "p90": pytest.approx(222.0), "max": 240.0}
    assert report.handoff_percentiles["p50"] == pytest.approx(300.0)
    # alice within 3 minutes; bob replied after 4; carol never (timed out): 1 of 3.
    assert report.within_target == pytest.approx(1 / 3)
    assert report.timed_out == 1 and report.callbacks == 1


def test_make_report_writes_the_handoff_csvs_and_chart(
    tracker_url: str, knowledge_db: str, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out"
    assert report_main(["--tracker-store", tracker_url, "--out", str(out), "--target-minutes", "5"]) == 0
    with (out / "handoff_times.csv").open(encoding="utf-8-sig") as handle:
        metrics = dict(csv.reader(handle))
    assert metrics["handoffs"] == "4" and metrics["to_staff"] == "3" and metrics["timed_out"] == "1"
    assert metrics["within_target_share"] == "0.6667"  # both replies within 5 minutes, the timeout not
    assert metrics["first_reply_wait_p50_s"] == "150.0"
    with (out / "handoffs_by_department.csv").open(encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle))[1] == ["省财政", "2"]
    assert (out / "handoffs.png").read_bytes().startswith(b"\x89PNG")
    printed = capsys.readouterr().out
    assert "4 handoffs (转人工): 3 to staff, 1 offered the hotline, 1 call-backs left" in printed
    assert "67% within 5 min; 1 timed out" in printed


def test_percentiles_interpolate_like_numpy() -> None:
    assert percentile([], 0.5) is None
    assert percentile([10.0], 0.9) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == pytest.approx(2.5)
