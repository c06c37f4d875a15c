"""The hotline's settings, from the environment (README, docs/HOTLINE.md).

| variable | meaning |
|---|---|
| ``HOTLINE_HOURS`` | office hours, e.g. ``Mon-Fri 09:00-17:30`` (more: bot/hotline/hours.py); unset: always |
| ``HOTLINE_TIMEZONE`` | the timezone of those hours (``Asia/Shanghai``) |
| ``HOTLINE_PRESENCE_SECONDS`` | a staff console counts as on duty this long after its last heartbeat (45) |
| ``HANDOFF_WAIT_MINUTES`` | staff must answer a waiting user within this time, else the bot answers again (5) |
| ``HANDOFF_SWEEP_SECONDS`` | how often the Rasa server looks for users waiting too long (30) |
| ``HANDOFF_TARGET_MINUTES`` | the service target for staff's first reply, shown in the report (3) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_PRESENCE_S = 45.0
DEFAULT_WAIT_MINUTES = 5.0
DEFAULT_SWEEP_S = 30.0
DEFAULT_TARGET_MINUTES = 3.0


class HotlineSettingError(ValueError):
    """A hotline setting that cannot be read; the message names it and says what it should be."""


def _positive(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise HotlineSettingError(f"{name}={raw!r} is not a number (e.g. {name}={default:g})") from None
    if value <= 0:
        raise HotlineSettingError(f"{name} must be more than 0, not {raw}")
    return value


@dataclass(frozen=True)
class HotlineSettings:
    hours: str = ""
    timezone: str = DEFAULT_TIMEZONE
    presence_s: float = DEFAULT_PRESENCE_S
    wait_s: float = DEFAULT_WAIT_MINUTES * 60
    sweep_s: float = DEFAULT_SWEEP_S
    target_s: float = DEFAULT_TARGET_MINUTES * 60
    redis_url: str | None = None
    redis_key_prefix: str = "wanqi"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> HotlineSettings:
        return cls(
            hours=environ.get("HOTLINE_HOURS", "").strip(),
            timezone=environ.get("HOTLINE_TIMEZONE", "").strip() or DEFAULT_TIMEZONE,
            presence_s=_positive(environ, "HOTLINE_PRESENCE_SECONDS", DEFAULT_PRESENCE_S),
            wait_s=_positive(environ, "HANDOFF_WAIT_MINUTES", DEFAULT_WAIT_MINUTES) * 60,
            sweep_s=_positive(environ, "HANDOFF_SWEEP_SECONDS", DEFAULT_SWEEP_S),
            target_s=_positive(environ, "HANDOFF_TARGET_MINUTES", DEFAULT_TARGET_MINUTES) * 60,
            redis_url=environ.get("REDIS_URL", "").strip() or None,
            redis_key_prefix=environ.get("REDIS_KEY_PREFIX", "").strip() or "wanqi",
        )
