"""Staff presence across processes through a real Redis (127.0.0.1:6379): a console signed in on one
replica makes staff on duty for every replica, and signing out ends it for all of them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

from bot.hotline.settings import HotlineSettings
from bot.hotline.status import Hotline

REDIS_URL = "redis://127.0.0.1:6379/3"


def _in_another_process(prefix: str, call: str) -> str:
    """Runs ``call`` on a Hotline of a separate Python process (another replica) and returns what it prints."""
    program = textwrap.dedent(f"""
        import asyncio
        from bot.hotline.settings import HotlineSettings
        from bot.hotline.status import Hotline
        hotline = Hotline(HotlineSettings(redis_url={REDIS_URL!r}, redis_key_prefix={prefix!r}, presence_s=60))
        async def main():
            result = await {call}
            print(result)
        asyncio.run(main())
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_console_on_one_replica_puts_staff_on_duty_for_another(redis_key_prefix: str) -> None:
    here = Hotline(HotlineSettings(redis_url=REDIS_URL, redis_key_prefix=redis_key_prefix, presence_s=60))

    async def status_here() -> bool:
        here._cached = (float("-inf"), 0)  # read Redis now, not this process's one-second cache
        return (await here.status())["staff_on_duty"]

    assert asyncio.run(status_here()) is False
    assert _in_another_process(redis_key_prefix, "hotline.status()").startswith("{'staff_on_duty': False")
    _in_another_process(redis_key_prefix, "hotline.staff_seen('session-of-replica-2')")
    assert asyncio.run(status_here()) is True
    assert "'staff_on_duty': True" in _in_another_process(redis_key_prefix, "hotline.status()")
    asyncio.run(here.staff_gone("session-of-replica-2"))  # signed out on this replica
    assert _in_another_process(redis_key_prefix, "hotline.staff_on_duty()") == "0"
    assert asyncio.run(status_here()) is False


def test_a_heartbeat_older_than_the_presence_window_is_nobody(redis_key_prefix: str) -> None:
    clock = [1_000_000.0]
    settings = HotlineSettings(redis_url=REDIS_URL, redis_key_prefix=redis_key_prefix + ":two", presence_s=30)
    hotline = Hotline(settings, clock=lambda: clock[0])
    hotline.presence._clock = lambda: clock[0]

    async def scenario() -> list:
        await hotline.staff_seen("s")
        counts = [await hotline.presence.on_duty()]
        clock[0] += 31
        counts.append(await hotline.presence.on_duty())
        return counts

    assert asyncio.run(scenario()) == [1, 0]


def test_redis_down_means_nobody_on_duty() -> None:
    hotline = Hotline(HotlineSettings(redis_url="redis://127.0.0.1:1/0", presence_s=60))
    assert asyncio.run(hotline.status())["staff_on_duty"] is False
