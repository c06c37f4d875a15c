"""The hotline status of this moment (knowledge.hotline.HotlineStatus): staff presence and office hours,
one shared object per server process (the console writes presence, the message stamp reads it)."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Callable, Tuple

from bot.hotline import hours, presence
from bot.hotline.settings import HotlineSettings
from knowledge.hotline import HotlineStatus

# Presence is read for every incoming message; a count a second old is fresh enough.
PRESENCE_CACHE_S = 1.0


class Hotline:
    def __init__(self, settings: HotlineSettings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.office_hours = hours.parse(settings.hours, settings.timezone)
        self.presence = presence.presence_from(settings.redis_url, settings.redis_key_prefix, settings.presence_s)
        self._clock = clock
        self._cached: Tuple[float, int] = (float("-inf"), 0)

    async def staff_seen(self, session_id: str) -> None:
        await self.presence.seen(presence.console_key(session_id))
        self._cached = (float("-inf"), 0)

    async def staff_gone(self, session_id: str) -> None:
        await self.presence.gone(presence.console_key(session_id))
        self._cached = (float("-inf"), 0)

    async def staff_on_duty(self) -> int:
        at, count = self._cached
        if self._clock() - at > PRESENCE_CACHE_S:
            count = await self.presence.on_duty()
            self._cached = (self._clock(), count)
        return count

    async def status(self) -> HotlineStatus:
        now = datetime.fromtimestamp(self._clock(), tz=timezone.utc)
        return HotlineStatus(
            staff_on_duty=await self.staff_on_duty() > 0,
            within_hours=self.office_hours.open_at(now),
            hours=self.office_hours.label(),
        )


_shared: Hotline | None = None


def shared() -> Hotline:
    """This process's hotline, from the environment (made at first use: the server's start-up)."""
    global _shared
    if _shared is None:
        _shared = Hotline(HotlineSettings.from_env())
    return _shared


def reset_for_tests() -> None:
    global _shared
    _shared = None
