"""A local fake of WeChat's API (api.weixin.qq.com/cgi-bin/): access tokens and customer-service messages."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable, Dict, List

from aiohttp import web

from tests.support.threaded_server import ThreadedServer

ACCESS_TOKEN = "fake-access-token"


class FakeWeChatAPI:
    def __init__(self, app_id: str, app_secret: str) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.sent: List[Dict[str, Any]] = []
        self.token_requests = 0
        self.refusals: Dict[str, int] = {}  # openid → the errcode WeChat answers a message to them with
        self._lock = threading.Lock()
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        self.server = ThreadedServer(app)

    @property
    def base_url(self) -> str:
        """What WECHAT_API_BASE_URL is set to."""
        return f"{self.server.url}/cgi-bin/"

    async def _token(self, request: web.Request) -> web.Response:
        with self._lock:
            self.token_requests += 1
        query = request.query
        if query.get("appid") != self.app_id or query.get("secret") != self.app_secret:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        return web.json_response({"access_token": ACCESS_TOKEN, "expires_in": 7200})

    async def _custom_send(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") != ACCESS_TOKEN:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        body = json.loads(await request.read())  # wechatpy sends no Content-Type
        with self._lock:
            errcode = self.refusals.get(body.get("touser"))
        if errcode:
            # e.g. 45015 (回复时间超过限制: the user wrote more than 48 h ago), 48001 (api unauthorized)
            return web.json_response({"errcode": errcode, "errmsg": f"refused by the fake ({errcode})"})
        with self._lock:
            self.sent.append({**body, "at": time.monotonic()})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def refuse(self, openid: str, errcode: int) -> None:
        """Answer every customer-service message to ``openid`` with WeChat's error ``errcode``."""
        with self._lock:
            self.refusals[openid] = errcode

    def texts_to(self, openid: str) -> List[str]:
        with self._lock:
            return [m["text"]["content"] for m in self.sent if m["touser"] == openid and m["msgtype"] == "text"]

    def wait_until(self, condition: Callable[[], Any], timeout: float = 20) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout} s; sent so far: {self.sent}")

    def start(self) -> FakeWeChatAPI:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
