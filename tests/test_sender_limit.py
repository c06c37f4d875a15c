"""One sender cannot queue unbounded work in the Rasa server (issue 17): Rasa's own Agent and lock
store, with a slow stand-in for the message processor (the NLU and policies)."""

from __future__ import annotations

import asyncio
from typing import List

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.rasa_server import sender_limit
from bot.stores.lock_store import InProcessLockStore


class SlowProcessor:
    def __init__(self) -> None:
        self.handled: List[tuple] = []

    async def handle_message(self, message: UserMessage) -> None:
        await asyncio.sleep(0.05)
        self.handled.append((message.sender_id, message.text))
        await message.output_channel.send_text_message(message.sender_id, f"答：{message.text}")


def test_a_flooding_sender_is_asked_to_wait_and_others_are_served() -> None:
    sender_limit.install()
    agent = Agent(lock_store=InProcessLockStore())
    processor = SlowProcessor()
    agent.processor = processor  # type: ignore[assignment]
    agent.tracker_store = object()  # type: ignore[assignment] # is_ready() only checks it is set

    async def send(sender: str, text: str) -> List[str]:
        out = CollectingOutputChannel()
        await agent.handle_message(UserMessage(text, out, sender, input_channel="rest"))
        return [m["text"] for m in out.messages]

    async def main() -> tuple:
        flood = [send("flooder", f"刷屏{i}") for i in range(200)]
        return await asyncio.gather(asyncio.gather(*flood), send("neighbour", "徽商服务卡有什么用"))

    flood_replies, neighbour_reply = asyncio.run(asyncio.wait_for(main(), timeout=60))
    limit = sender_limit.max_turns_per_sender()
    handled_for_flooder = [text for sender, text in processor.handled if sender == "flooder"]
    assert len(handled_for_flooder) == limit  # 200 parked turns before
    busy = [r for r in flood_replies if r and r[0].startswith("请稍候")]
    assert len(busy) == 200 - limit  # every other message got a clear "please wait", none silence
    assert neighbour_reply == ["答：徽商服务卡有什么用"]
    # The neighbour did not wait for the flooder's queue: it was handled among the first turns.
    assert processor.handled.index(("neighbour", "徽商服务卡有什么用")) <= limit


def test_after_the_flood_the_sender_is_served_again() -> None:
    sender_limit.install()
    agent = Agent(lock_store=InProcessLockStore())
    agent.processor = SlowProcessor()  # type: ignore[assignment]
    agent.tracker_store = object()  # type: ignore[assignment]

    async def main() -> List[str]:
        await asyncio.gather(
            *(agent.handle_message(UserMessage(f"{i}", CollectingOutputChannel(), "s")) for i in range(20))
        )
        out = CollectingOutputChannel()
        await agent.handle_message(UserMessage("还在吗", out, "s"))
        return [m["text"] for m in out.messages]

    assert asyncio.run(main()) == ["答：还在吗"]
