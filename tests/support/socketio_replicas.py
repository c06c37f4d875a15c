"""Two socket.io servers in one process sharing Redis, as two replicas of the Rasa server run the web
chat (bot/channels/webchat/channel.py builds its AsyncServer with ``client_manager()``)."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import redis.asyncio as aioredis
from aiohttp import web
from socketio import AsyncServer

from bot.channels.delivery.webchat import WebChatSender
from bot.channels.webchat.channel import client_manager
from bot.processes.ports import free_port
from tools.socketio_client import SocketIOClient

SESSION = "0123456789abcdef0123456789abcdef"


async def _serve(sio: AsyncServer) -> tuple[web.AppRunner, str]:
    app = web.Application()
    sio.attach(app)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def _wait_for_subscribers(url: str, channel: str, count: int, timeout: float = 10) -> None:
    client = aioredis.Redis.from_url(url)
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            (_, subscribed), *_ = await client.pubsub_numsub(channel)
            if subscribed >= count:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"no socket.io server subscribed to {channel} within {timeout} s")
    finally:
        await client.aclose() if hasattr(client, "aclose") else await client.close()


async def two_replicas_deliver(redis_url: str, channel_prefix: str) -> List[Dict[str, Any]]:
    """A widget joins its session's room on replica B; replica A delivers a staff reply; returns what
    the widget received."""
    env = {"REDIS_URL": redis_url, "REDIS_KEY_PREFIX": channel_prefix}
    replica_a = AsyncServer(async_mode="aiohttp", client_manager=client_manager(env))
    replica_b = AsyncServer(async_mode="aiohttp", client_manager=client_manager(env))

    @replica_b.on("session_request")
    async def session_request(sid: str, data: Any = None) -> None:
        await replica_b.enter_room(sid, SESSION)
        await replica_b.emit("session_confirm", SESSION, room=sid)

    runner_a, _ = await _serve(replica_a)
    runner_b, url_b = await _serve(replica_b)
    widget = SocketIOClient(url_b)
    try:
        await widget.connect()
        await widget.emit("session_request", {"session_id": SESSION})
        assert (await widget.next_event(10))[0] == "session_confirm"
        await _wait_for_subscribers(redis_url, f"{channel_prefix}:socketio", 1)

        async def emit(session: str, message: Dict[str, Any]) -> None:
            await replica_a.emit("bot_uttered", message, room=session)

        result = await WebChatSender(emit).send(SESSION, ["您好，我是热线工作人员。"], "staff", None)
        assert result["delivered"], result
        received = []
        name, data = await widget.next_event(10)
        if name == "bot_uttered":
            received.append(data)
        return received
    finally:
        await widget.close()
        await runner_a.cleanup()
        await runner_b.cleanup()
