"""A local fake of the Telegram Bot API: serves updates to getUpdates and records what the bot sends.

Implements what the bridge uses: getMe, deleteWebhook, setWebhook, getUpdates (long polling),
sendMessage (403 to a chat in ``blocked``), sendChatAction, answerCallbackQuery. Any other method
is recorded and answered ``true``. Requests with another token get 401, as Telegram answers them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from typing import Any, Callable, Dict, List

from aiohttp import web

from tests.support.threaded_server import ThreadedServer

BOT_ID = 7000001
BOT_USERNAME = "wanqi_policy_test_bot"
JSON_FIELDS = {"reply_markup", "reply_parameters", "allowed_updates", "link_preview_options"}
# The longest a getUpdates call is held open when there is nothing to send (keeps shutdown quick).
MAX_LONG_POLL_S = 0.5


class FakeBotAPI:
    def __init__(self, token: str = "123456:TEST-token") -> None:
        self.token = token
        self.calls: List[Dict[str, Any]] = []
        self._lock = threading.Lock()
        self._updates: List[Dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._sent_messages: Dict[int, Dict[str, Any]] = {}
        self._new_update: asyncio.Event | None = None
        self.blocked: set = set()  # chat ids whose user blocked the bot: sendMessage answers 403
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self.server = ThreadedServer(app)

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE_URL is set to."""
        return self.server.url

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeBotAPI:
        self.server.start()
        self.server.call(self._make_event())
        return self

    async def _make_event(self) -> None:
        self._new_update = asyncio.Event()

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the API ---------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        params = await self._params(request)
        with self._lock:
            self.calls.append({"method": method, "params": params, "at": time.monotonic()})
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        if method == "getMe":
            return _ok(self.bot_user(can_join_groups=True, can_read_all_group_messages=False))
        if method == "sendMessage":
            if int(params["chat_id"]) in self.blocked:
                description = "Forbidden: bot was blocked by the user"
                return web.json_response({"ok": False, "error_code": 403, "description": description}, status=403)
            return _ok(self._store_sent_message(params))
        return _ok(True)

    @staticmethod
    async def _params(request: web.Request) -> Dict[str, Any]:
        if request.content_type == "application/json":
            raw = await request.json()
        else:
            raw = dict(await request.post())
        params: Dict[str, Any] = {}
        for key, value in raw.items():
            params[key] = json.loads(value) if key in JSON_FIELDS and isinstance(value, str) else value
        return params

    async def _get_updates(self, params: Dict[str, Any]) -> List[Dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), MAX_LONG_POLL_S)
        while True:
            with self._lock:
                # Updates before ``offset`` are confirmed: Telegram forgets them.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                pending = list(self._updates)
            remaining = deadline - time.monotonic()
            if pending or remaining <= 0:
                return pending
            assert self._new_update is not None
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def _store_sent_message(self, params: Dict[str, Any]) -> Dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": self.bot_user(),
            "text": params["text"],
        }
        if (params.get("reply_markup") or {}).get("inline_keyboard"):
            # Telegram shows only inline keyboards on a Message; a ForceReply is not part of it.
            message["reply_markup"] = params["reply_markup"]
        with self._lock:
            self._sent_messages[message["message_id"]] = message
        return message

    # --- what tests use --------------------------------------------------------------------
    @staticmethod
    def bot_user(**extra: Any) -> Dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "皖企政策助手", "username": BOT_USERNAME, **extra}

    def push(self, update_body: Dict[str, Any]) -> int:
        """Queue an update for the bot's next getUpdates; returns its update_id."""
        update = {"update_id": next(self._update_ids), **update_body}
        with self._lock:
            self._updates.append(update)
        assert self._new_update is not None
        self.server.call_soon(self._new_update.set)
        return update["update_id"]

    def text_update(
        self, chat_id: int, user_id: int, text: str, chat_type: str = "private", reply_to: Dict | None = None
    ) -> Dict[str, Any]:
        message = self._user_message(chat_id, user_id, chat_type)
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return {"message": message}

    def photo_update(self, chat_id: int, user_id: int, chat_type: str = "private") -> Dict[str, Any]:
        message = self._user_message(chat_id, user_id, chat_type)
        message["photo"] = [{"file_id": "photo-1", "file_unique_id": "u-photo-1", "width": 90, "height": 90}]
        return {"message": message}

    def callback_update(self, user_id: int, sent_message: Dict[str, Any], callback_data: str) -> Dict[str, Any]:
        """A tap on a button of ``sent_message`` (a message the bot sent)."""
        return {
            "callback_query": {
                "id": f"cb-{next(self._message_ids)}",
                "from": _user(user_id),
                "chat_instance": "ci-1",
                "message": sent_message,
                "data": callback_data,
            }
        }

    def _user_message(self, chat_id: int, user_id: int, chat_type: str) -> Dict[str, Any]:
        chat: Dict[str, Any] = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": "Test"} if chat_type == "private" else {"title": "创业者交流群"})
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat, "from": _user(user_id)}

    def calls_of(self, method: str) -> List[Dict[str, Any]]:
        with self._lock:
            return [c["params"] for c in self.calls if c["method"] == method]

    def sent_to(self, chat_id: int) -> List[Dict[str, Any]]:
        """The sendMessage calls to ``chat_id``, in order."""
        return [p for p in self.calls_of("sendMessage") if int(p["chat_id"]) == chat_id]

    def sent_message(self, text_contains: str) -> Dict[str, Any]:
        """The Message object (as Telegram returned it) of a sent message, for building button taps."""
        with self._lock:
            return next(m for m in self._sent_messages.values() if text_contains in m["text"])

    def wait_until(self, condition: Callable[[], Any], timeout: float = 20) -> Any:
        """``wait_for`` for synchronous tests."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout} s; calls so far: {[c['method'] for c in self.calls]}")

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 20) -> Any:
        """Await until ``condition()`` is truthy (checked every 50 ms) and return its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out after {timeout} s; calls so far: {[c['method'] for c in self.calls]}")


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _user(user_id: int) -> Dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}"}


# --- the fake Bot API the shared test server sends staff replies to (tests/conftest.py) ------------
_server_api: FakeBotAPI | None = None


def server_bot_api() -> FakeBotAPI:
    global _server_api
    if _server_api is None:
        import atexit

        _server_api = FakeBotAPI("424242:SERVER-test-token").start()
        atexit.register(_server_api.stop)
    return _server_api


def server_env() -> Dict[str, str]:
    """The Rasa server's Telegram settings (bot/channels/delivery/telegram.py) in the shared test server."""
    return {"TELEGRAM_BOT_TOKEN": server_bot_api().token, "TELEGRAM_API_BASE_URL": server_bot_api().base_url}
