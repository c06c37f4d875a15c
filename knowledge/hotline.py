"""The hotline's contracts shared by the Rasa server (bot/), the actions and the usage report. No Rasa here.

- ``HotlineStatus``: whether 转人工 can reach a person now. The Rasa server computes it for every
  incoming message (staff presence, office hours: bot/hotline/) and stamps it on the message's
  metadata under ``HOTLINE_METADATA_KEY``, replacing whatever a caller sent under that key; the
  hand-off action reads it there (actions cannot import bot/).
- ``HandoffRecord``: one step of a hand-off, stored as an ``agent`` event of the conversation whose
  data is ``{"handoff": {...}}`` (the way ratings are stored, bot/channels/feedback.py): requested
  (by the action, with the channel and the measure under discussion), callback (the call-back form
  completed), first_reply (staff's first reply, with the wait), handed_back (by staff or by the
  wait timeout, with the times), callback_done (staff called back). tools/report reads them.
- Phone numbers left for a call-back: checked, normalised and shown masked.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Mapping, TypedDict

HOTLINE_METADATA_KEY = "hotline"
HANDOFF_KEY = "handoff"

# Stages of a hand-off record, in the order they happen.
REQUESTED, CALLBACK, FIRST_REPLY, HANDED_BACK, CALLBACK_DONE = (
    "requested", "callback", "first_reply", "handed_back", "callback_done",
)  # fmt: skip
STAGES = (REQUESTED, CALLBACK, FIRST_REPLY, HANDED_BACK, CALLBACK_DONE)
# How 转人工 went: a person took it (the bot paused), or nobody could (the hotline and a call-back).
MODE_STAFF, MODE_NO_STAFF, MODE_OFF_HOURS = "staff", "no_staff", "off_hours"
BY_STAFF, BY_TIMEOUT = "staff", "timeout"


class HotlineStatus(TypedDict):
    staff_on_duty: bool  # a staff member's console sent a heartbeat recently
    within_hours: bool  # now is inside HOTLINE_HOURS (always, when none are set)
    hours: str  # the office hours as users read them ("周一至周五 09:00-17:30"); "" when none are set


class HandoffRecord(TypedDict, total=False):
    stage: str  # one of STAGES
    at: float  # when (Unix time)
    mode: str  # requested: MODE_*
    channel: str  # requested / callback: the user's input channel
    measure: str | None  # requested / callback: the measure under discussion (its key), if any
    question: str  # callback: what the user wants to ask
    phone: str  # callback: the number to call back (normalised digits, full: staff need it)
    wait_s: float  # first_reply: seconds from 转人工 to staff's first reply
    by: str  # handed_back: BY_STAFF or BY_TIMEOUT
    handoff_s: float  # handed_back: seconds from 转人工 to the hand-back
    first_reply_s: float | None  # handed_back: seconds to the first reply, None if staff never replied


def can_reach_staff(status: Mapping[str, Any] | None) -> bool:
    """Whether 转人工 should pause the bot for a person. Without a (server-stamped) status: no."""
    return bool(status) and bool(status.get("staff_on_duty")) and bool(status.get("within_hours"))  # type: ignore[union-attr]


def handoff_mode(status: Mapping[str, Any] | None) -> str:
    if can_reach_staff(status):
        return MODE_STAFF
    if status and not status.get("within_hours", True):
        return MODE_OFF_HOURS
    return MODE_NO_STAFF


def handoff_data(record: HandoffRecord) -> Dict[str, Any]:
    """The data of the ``agent`` event that stores ``record``."""
    return {HANDOFF_KEY: dict(record)}


def handoff_of(event: Mapping[str, Any]) -> HandoffRecord | None:
    """The hand-off record an event (a dict as ``Event.as_dict`` gives it) carries, if it is one."""
    if event.get("event") != "agent":
        return None
    data = event.get("data")
    record = data.get(HANDOFF_KEY) if isinstance(data, dict) else None
    if not isinstance(record, dict) or record.get("stage") not in STAGES:
        return None
    found: HandoffRecord = dict(record)  # type: ignore[assignment]
    found.setdefault("at", float(event.get("timestamp") or 0))
    return found


# Mainland mobile numbers (optionally +86), landlines with an area code (0 + 2-3 digits, then 7-8 digits).
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})")
_LANDLINE = re.compile(r"(0[1-9][0-9]{1,2})([1-9][0-9]{6,7})")
_SEPARATORS = re.compile(r"[\s\-()（）—－]")
_FULL_WIDTH_DIGITS = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)} | {"\uff0b": "+"})
MAX_QUESTION_CHARS = 500


def normalise_phone(text: str | None) -> str | None:
    """The number a call-back can dial, as digits (a landline as ``area-number``), or None.

    Accepts what people type: spaces, dashes, brackets, full-width digits, a +86 prefix, a few words
    around the number ("我的电话是…"). Refuses anything that is not exactly one mobile or landline number.
    """
    if not isinstance(text, str):
        return None
    compact = _SEPARATORS.sub("", text.translate(_FULL_WIDTH_DIGITS))
    digits = re.findall(r"\+?[0-9]+", compact)
    if len(digits) != 1:
        return None
    mobile = _MOBILE.fullmatch(digits[0])
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.fullmatch(digits[0])
    return f"{landline.group(1)}-{landline.group(2)}" if landline else None


def mask_phone(phone: str) -> str:
    """What a chat message or a log shows of a number: its first three and last four digits."""
    digits = phone.replace("-", "")
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def clean_question(text: str | None) -> str | None:
    """The question a call-back is about: non-empty text of at most MAX_QUESTION_CHARS, else None."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    return text if 0 < len(text) <= MAX_QUESTION_CHARS else None
