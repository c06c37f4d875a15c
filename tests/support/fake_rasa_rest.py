"""A local fake of the Rasa REST channel, for channel edge cases the real assistant cannot be steered into
(buttons, very long texts, a slow or failing server). The real assistant is tested end to end elsewhere.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any, Awaitable, Callable, Dict, List, Union

from aiohttp import web

from tests.support.threaded_server import ThreadedServer

# May be async (e.g. a slow assistant: ``await asyncio.sleep(…)``).
Responder = Callable[[Dict[str, Any]], Union[List[Dict[str, Any]], Awaitable[List[Dict[str, Any]]]]]


def echo(body: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [{"recipient_id": body["sender"], "text": f"收到：{body['message']}"}]


class FakeRasaRest:
    def __init__(self, responder: Responder = echo, port: int | None = None) -> None:
        self.responder = responder
        self.requests: List[Dict[str, Any]] = []
        self.authorizations: List[str | None] = []  # the Authorization header of each request
        self._lock = threading.Lock()
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._handle)
        self.server = ThreadedServer(app, port=port)

    @property
    def url(self) -> str:
        return self.server.url

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            self.requests.append(body)
            self.authorizations.append(request.headers.get("Authorization"))
        answer = self.responder(body)
        if inspect.isawaitable(answer):
            answer = await answer
        return web.json_response(answer)

    def senders(self) -> List[str]:
        with self._lock:
            return [r["sender"] for r in self.requests]

    def messages(self) -> List[str]:
        with self._lock:
            return [r["message"] for r in self.requests]

    def conversation(self) -> List[tuple]:
        """(sender, message) of every request, in arrival order."""
        with self._lock:
            return [(r["sender"], r["message"]) for r in self.requests]

    def __enter__(self) -> FakeRasaRest:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
