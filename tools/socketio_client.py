"""A minimal socket.io client over the ``websockets`` library (Engine.IO 4, default namespace): the
web chat as a test or a benchmark (tools/bench/flood.py) talks to it.

python-socketio's own AsyncClient needs a newer aiohttp than Rasa 3.6 pins, and its sync client
needs websocket-client, which is not installed; the protocol a chat test needs is small.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, List, Tuple

import websockets


class SocketIOClient:
    def __init__(self, url: str) -> None:
        self.ws_url = url.replace("http://", "ws://").rstrip("/") + "/socket.io/?EIO=4&transport=websocket"
        self.events: asyncio.Queue = asyncio.Queue()
        self._ws: Any = None
        self._reader: asyncio.Task | None = None

    async def connect(self, timeout: float = 10) -> None:
        self._ws = await websockets.connect(self.ws_url, max_size=None, open_timeout=timeout)
        opened = await asyncio.wait_for(self._ws.recv(), timeout)
        assert opened.startswith("0"), opened
        await self._ws.send("40")
        connected = await asyncio.wait_for(self._ws.recv(), timeout)
        assert connected.startswith("40"), connected
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for packet in self._ws:
            if packet == "2":  # Engine.IO ping
                await self._ws.send("3")
            elif packet.startswith("42"):
                name, *args = json.loads(packet[2:])
                await self.events.put((name, args[0] if args else None))

    async def emit(self, event: str, data: Dict[str, Any]) -> None:
        await self._ws.send("42" + json.dumps([event, data]))

    async def next_event(self, timeout: float) -> Tuple[str, Any]:
        return await asyncio.wait_for(self.events.get(), timeout)

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
        if self._ws:
            await self._ws.close()


async def converse(url: str, texts: List[str], first_timeout: float = 30, quiet_s: float = 0.8) -> List[List[Any]]:
    """Send each text in one socket.io session; return the bot_uttered payloads of each turn."""
    client = SocketIOClient(url)
    await client.connect()
    turns: List[List[Any]] = []
    try:
        await client.emit("session_request", {"session_id": None})
        name, session_id = await client.next_event(first_timeout)
        assert name == "session_confirm", name
        for text in texts:
            await client.emit("user_uttered", {"message": text, "session_id": session_id})
            replies = []
            timeout = first_timeout
            while True:
                try:
                    name, data = await client.next_event(timeout)
                except asyncio.TimeoutError:
                    break
                if name == "bot_uttered":
                    replies.append(data)
                    timeout = quiet_s  # the answer card follows the text
            turns.append(replies)
    finally:
        await client.close()
    return turns


async def new_session(client: SocketIOClient, timeout: float = 30) -> str:
    """Ask for a new session on a connected client; returns the session id the server issued."""
    await client.emit("session_request", {"session_id": None})
    name, session_id = await client.next_event(timeout)
    assert name == "session_confirm", name
    return session_id


async def until_card(client: SocketIOClient, kind: str, timeout: float = 60) -> None:
    """Read events until the answer card of ``kind`` (e.g. the hand-off's) arrives."""
    while True:
        name, data = await client.next_event(timeout)
        if name == "bot_uttered" and ((data or {}).get("custom") or {}).get("answer_card", {}).get("kind") == kind:
            return


async def next_bot(client: SocketIOClient, wanted: Callable[[Dict[str, Any]], Any], timeout: float = 30) -> Dict:
    """Read events until a ``bot_uttered`` whose payload ``wanted`` accepts; returns that payload."""
    while True:
        name, data = await client.next_event(timeout)
        if name == "bot_uttered" and wanted(data or {}):
            return data
