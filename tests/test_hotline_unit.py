"""The hotline's parts without a server: office hours, phone numbers, the stamp, hand-off records."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from bot.hotline import hours, records
from bot.hotline.presence import InProcessPresence
from bot.hotline.settings import HotlineSettingError, HotlineSettings
from bot.rasa_server.hotline_stamp import stamped
from knowledge import hotline


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_office_hours_are_read_in_their_timezone() -> None:
    office = hours.parse("Mon-Fri 09:00-17:30", "Asia/Shanghai")
    # 2026-12-04 is a Friday. 01:00 UTC is 09:00 in Shanghai; 09:30 UTC is 17:30 (closed).
    assert office.open_at(_utc("2026-12-04T01:00:00"))
    assert office.open_at(_utc("2026-12-04T09:29:00"))
    assert not office.open_at(_utc("2026-12-04T09:30:00"))
    assert not office.open_at(_utc("2026-12-04T00:59:00"))
    assert not office.open_at(_utc("2026-12-05T03:00:00"))  # Saturday
    assert office.label() == "周一至周五 09:00-17:30"


def test_office_hours_with_a_lunch_break_and_a_saturday_morning() -> None:
    office = hours.parse("Mon-Fri 09:00-12:00,13:30-17:30; Sat 09:00-12:00", "Asia/Shanghai")
    assert not office.open_at(_utc("2026-12-04T04:30:00"))  # Friday 12:30 in Shanghai
    assert office.open_at(_utc("2026-12-05T02:00:00"))  # Saturday 10:00
    assert office.label() == "周一至周五 09:00-12:00、13:30-17:30；周六 09:00-12:00"


def test_no_office_hours_means_always_open() -> None:
    assert hours.parse("", "Asia/Shanghai").open_at(_utc("2026-12-06T20:00:00"))


@pytest.mark.parametrize("bad", ["Mon-Fri", "Workdays 09:00-17:00", "Mon-Fri 17:00-09:00", "Mon 25:00-26:00"])
def test_bad_office_hours_say_what_to_write(bad: str) -> None:
    with pytest.raises(HotlineSettingError, match="HOTLINE_HOURS"):
        hours.parse(bad, "Asia/Shanghai")


def test_bad_numbers_and_timezones_are_refused_by_name() -> None:
    with pytest.raises(HotlineSettingError, match="HANDOFF_WAIT_MINUTES"):
        HotlineSettings.from_env({"HANDOFF_WAIT_MINUTES": "soon"})
    with pytest.raises(HotlineSettingError, match="HOTLINE_TIMEZONE"):
        hours.parse("Mon-Fri 09:00-17:30", "Mars/Olympus")
    assert HotlineSettings.from_env({"HANDOFF_WAIT_MINUTES": "0.05"}).wait_s == pytest.approx(3.0)


@pytest.mark.parametrize(
    "typed, number",
    [
        ("13912345678", "13912345678"),
        ("我的手机是 139 1234 5678", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
        ("0551-62345678", "0551-62345678"),
        ("(0551) 6234567", "0551-6234567"),
    ],
)
def test_call_back_numbers_are_normalised(typed: str, number: str) -> None:
    assert hotline.normalise_phone(typed) == number


@pytest.mark.parametrize(
    "typed", ["12345", "1391234567", "139123456789", "62345678", "电话", "139 1234 5678 或 0551-62345678", ""]
)
def test_what_cannot_be_called_back_is_refused(typed: str) -> None:
    assert hotline.normalise_phone(typed) is None


def test_numbers_are_shown_masked() -> None:
    assert hotline.mask_phone("13912345678") == "139****5678"
    assert hotline.mask_phone("0551-62345678") == "055*****5678"


def test_the_stamp_replaces_what_a_caller_sent_and_keeps_the_rest() -> None:
    forged = {"hotline": {"staff_on_duty": True, "within_hours": True}, "shown_text": "转人工"}
    status = hotline.HotlineStatus(staff_on_duty=False, within_hours=True, hours="")
    assert stamped(forged, status) == {"shown_text": "转人工", "hotline": dict(status)}
    assert stamped(None, status) == {"hotline": dict(status)}
    assert stamped("not a dict", status) == {"hotline": dict(status)}


def test_without_a_stamp_nobody_is_on_duty() -> None:
    assert hotline.handoff_mode(None) == hotline.MODE_NO_STAFF
    assert hotline.handoff_mode({"staff_on_duty": True, "within_hours": False}) == hotline.MODE_OFF_HOURS
    assert hotline.handoff_mode({"staff_on_duty": False, "within_hours": True}) == hotline.MODE_NO_STAFF
    assert hotline.handoff_mode({"staff_on_duty": True, "within_hours": True}) == hotline.MODE_STAFF


def test_in_process_presence_expires_and_ends_at_sign_out() -> None:
    now = [1000.0]
    presence = InProcessPresence(ttl_s=45, clock=lambda: now[0])

    async def scenario() -> list:
        counts = [await presence.on_duty()]
        await presence.seen("a")
        await presence.seen("b")
        counts.append(await presence.on_duty())
        await presence.gone("b")
        counts.append(await presence.on_duty())
        now[0] += 46
        counts.append(await presence.on_duty())
        return counts

    assert asyncio.run(scenario()) == [0, 2, 1, 0]


def _staff(text: str, at: float) -> dict:
    return {"event": "bot", "text": text, "timestamp": at, "metadata": {"staff": True}}


def test_first_reply_and_hand_back_are_recorded_once_with_their_times() -> None:
    before = [{"event": "user", "timestamp": 90.0}, {"event": "pause", "timestamp": 100.0}]
    first = records.follow_up(before, [_staff("您好", 0)], now=130.0)
    assert first == [{"stage": "first_reply", "at": 130.0, "wait_s": 30.0}]
    before += [_staff("您好", 130.0)]
    assert records.follow_up(before, [_staff("还有吗", 0)], now=150.0) == []
    back = records.follow_up(before, [{"event": "resume"}], now=400.0)
    assert back == [{"stage": "handed_back", "at": 400.0, "by": "staff", "handoff_s": 300.0, "first_reply_s": 30.0}]


def test_a_timed_out_hand_back_has_no_first_reply() -> None:
    before = [{"event": "pause", "timestamp": 100.0}, {"event": "bot", "text": "请稍候", "timestamp": 100.0}]
    back = records.follow_up(before, [{"event": "resume"}], now=400.0, by="timeout")
    assert back == [{"stage": "handed_back", "at": 400.0, "by": "timeout", "handoff_s": 300.0, "first_reply_s": None}]
    assert records.follow_up([], [{"event": "resume"}], now=1.0) == []  # nothing was handed over


def test_a_call_back_case_is_open_until_marked_done() -> None:
    asked = {"event": "agent", "timestamp": 5.0, "data": hotline.handoff_data(
        hotline.HandoffRecord(stage="callback", question="技改补贴", phone="13912345678"))}  # fmt: skip
    done_record = hotline.HandoffRecord(stage="callback_done")
    done = {"event": "agent", "timestamp": 9.0, "data": hotline.handoff_data(done_record)}
    assert records.open_callback([asked])["phone"] == "13912345678"
    assert records.open_callback([asked])["at"] == 5.0
    assert records.open_callback([asked, done]) is None
    assert records.open_callback([{"event": "agent", "data": {"handoff": {"stage": "forged"}}}]) is None


def test_only_a_user_s_request_for_staff_is_waited_for() -> None:
    requested = {"event": "agent", "data": hotline.handoff_data(hotline.HandoffRecord(stage="requested", mode="staff"))}
    offered = {
        "event": "agent",
        "data": hotline.handoff_data(hotline.HandoffRecord(stage="requested", mode="no_staff")),
    }
    pause = {"event": "pause", "timestamp": 1.0}
    assert records.asked_for_staff([requested, pause])
    assert not records.asked_for_staff([pause])  # staff's own 接管
    assert not records.asked_for_staff([offered])
    assert not records.asked_for_staff([requested, pause, {"event": "resume"}, pause])


def test_a_call_back_is_a_case_of_the_console_queue_until_done() -> None:
    from bot.stores.conversation_index import fold_all

    def agent(stage: str, at: float) -> dict:
        return {"event": "agent", "timestamp": at, "data": hotline.handoff_data(hotline.HandoffRecord(stage=stage))}

    asked = [{"event": "user", "timestamp": 1.0, "text": "转人工", "input_channel": "rest"}, agent("requested", 1.0)]
    row = fold_all("u", [*asked, agent("callback", 5.0)])
    assert row is not None and row["status"] == "callback" and row["handoff_time"] == 5.0
    done = fold_all("u", [agent("callback_done", 9.0)], row)
    assert done is not None and done["status"] == "bot" and done["handoff_time"] is None
    again = fold_all("u", [{"event": "pause", "timestamp": 7.0}], row)  # 转人工 again, staff now on duty
    assert again is not None and again["status"] == "waiting" and again["handoff_time"] == 7.0


def _handoff_tracker(metadata: dict | None) -> Tracker:  # noqa: F821
    from rasa_sdk import Tracker

    message = {"text": "转人工", "intent": {"name": "request_human", "confidence": 0.99}, "metadata": metadata}
    return Tracker("unit", {"current_measure": "huishang_service_card"}, message, [], False, None, {}, "action_listen")


def test_outside_the_office_hours_the_action_names_them_and_does_not_pause() -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.handoff import ActionHandoffToStaff

    office = hours.parse("Mon-Fri 09:00-17:30", "Asia/Shanghai")
    status = {
        "staff_on_duty": True,
        "within_hours": office.open_at(_utc("2026-12-05T03:00:00")),
        "hours": office.label(),
    }
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHandoffToStaff().run(dispatcher, _handoff_tracker({"hotline": status}), {}))
    assert dispatcher.messages[0]["response"] == "utter_handoff_off_hours"
    assert dispatcher.messages[0]["hotline_hours"] == "周一至周五 09:00-17:30"
    assert dispatcher.messages[1]["custom"]["answer_card"]["handoff"] == "off_hours"
    assert [e["event"] for e in events] == ["active_loop", "agent"]  # no pause
    assert events[1]["data"]["handoff"] == {"stage": "requested", "mode": "off_hours", "channel": "rest",
                                            "measure": "huishang_service_card"}  # fmt: skip


def test_the_off_hours_reply_says_the_hours_and_12345() -> None:
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.paths import PROJECT_DIR

    domain = Domain.load(PROJECT_DIR / "domain.yml")
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker("unit", domain.slots)
    reply = asyncio.run(
        nlg.generate("utter_handoff_off_hours", tracker, "rest", hotline_hours="周一至周五 09:00-17:30")
    )
    assert "（周一至周五 09:00-17:30）" in reply["text"] and "12345" in reply["text"]
    assert reply["buttons"] == [{"title": "留言等回电", "payload": "/request_callback"}]


def test_the_status_of_a_moment_outside_the_hours() -> None:
    from bot.hotline.status import Hotline

    saturday = _utc("2026-12-05T03:00:00").timestamp()
    hotline_now = Hotline(HotlineSettings(hours="Mon-Fri 09:00-17:30"), clock=lambda: saturday)
    assert asyncio.run(hotline_now.status()) == {"staff_on_duty": False, "within_hours": False,
                                                 "hours": "周一至周五 09:00-17:30"}  # fmt: skip
