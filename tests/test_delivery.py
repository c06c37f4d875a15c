"""Reaching a user on the user's own channel (bot/channels/delivery/), against the fakes of the WeChat
API and the Telegram Bot API with the real wechatpy and python-telegram-bot, and web chat across
two socket.io servers sharing the real Redis (python-socketio's AsyncRedisManager)."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any, Dict, List

import pytest

from bot.channels.channel_texts import channel_text
from bot.channels.delivery import channel_of, router
from bot.channels.delivery.compose import build_router
from bot.channels.delivery.router import Router, last_user_time
from bot.channels.delivery.telegram import TelegramSender
from bot.channels.delivery.webchat import WebChatSender
from bot.channels.delivery.wechat import WeChatSender
from bot.channels.telegram.settings import TelegramSettings
from bot.channels.wechat.customer_service import NO_PERMISSION, WINDOW_CLOSED, CustomerServiceSender
from tests.support.fake_telegram_api import FakeBotAPI
from tests.support.fake_wechat_api import FakeWeChatAPI

OPENID = "oWanqiDelivery0001"
HOUR = 3600.0


@pytest.mark.parametrize(
    "sender_id, channel",
    [
        ("telegram:123456", "telegram"),
        ("telegram:-1001234:777", "telegram"),
        ("wechat:oAbC-123_x", "wechat"),
        ("0123456789abcdef0123456789abcdef", "webchat"),
        ("demo-user", "rest"),
        ("0123456789ABCDEF0123456789ABCDEF", "rest"),  # not a server-issued web chat id
        ("wechatx:abc", "rest"),
    ],
)
def test_the_channel_comes_from_the_sender_id_form(sender_id: str, channel: str) -> None:
    assert channel_of(sender_id) == channel


def test_the_last_user_message_time_comes_from_the_tracker_events() -> None:
    events = [
        {"event": "user", "timestamp": 10.0},
        {"event": "bot", "timestamp": 20.0},
        {"event": "user", "timestamp": 15.0},
    ]
    assert last_user_time(events) == 15.0
    assert last_user_time([{"event": "bot", "timestamp": 5.0}]) is None


# --- WeChat ----------------------------------------------------------------------------------------
@pytest.fixture
def wechat_api():
    api = FakeWeChatAPI("wxdelivery", "delivery-secret").start()
    try:
        yield api
    finally:
        api.stop()


def _wechat_router(api: FakeWeChatAPI | None, now: float) -> Router:
    sender = CustomerServiceSender("wxdelivery", "delivery-secret", api.base_url) if api else None
    return Router({"wechat": WeChatSender(sender)}, clock=lambda: now)


def test_a_staff_reply_reaches_a_wechat_user_as_a_customer_service_message(wechat_api: FakeWeChatAPI) -> None:
    now = time.time()
    router_ = _wechat_router(wechat_api, now)
    events = [{"event": "user", "timestamp": now - 2 * HOUR}]
    assert router_.deliverability(f"wechat:{OPENID}", events)["deliverable"] is True
    long_text = "请您准备营业执照和近三年的纳税证明。" * 200  # over WeChat's 2048 bytes: several messages
    result = asyncio.run(router_.deliver(f"wechat:{OPENID}", ["您好", long_text], kind="staff", last_user_at=now - 60))
    assert result == {"channel": "wechat", "delivered": True, "sent": 2, "reason": None, "message": None}
    sent = wechat_api.texts_to(OPENID)
    assert sent[0] == channel_text("wechat", "staff_reply", text="您好") and "人工客服" in sent[0]
    assert len(sent) > 2 and all(len(t.encode()) <= 2048 for t in sent)
    assert "".join(sent[1:]).replace("【人工客服】", "") == long_text


def test_after_48_hours_wechat_is_not_tried_and_staff_are_told_before_they_type(wechat_api: FakeWeChatAPI) -> None:
    now = time.time()
    router_ = _wechat_router(wechat_api, now)
    events = [{"event": "user", "timestamp": now - 49 * HOUR}]
    status = router_.deliverability(f"wechat:{OPENID}", events)
    assert status["deliverable"] is False and status["reason"] == "wechat_window_closed"
    assert "48 小时" in (status["message"] or "")
    result = asyncio.run(router_.deliver(f"wechat:{OPENID}", ["您好"], last_user_at=now - 49 * HOUR))
    assert result["delivered"] is False and result["sent"] == 0 and result["reason"] == "wechat_window_closed"
    assert wechat_api.sent == []


def test_without_an_app_secret_wechat_users_cannot_be_reached(wechat_api: FakeWeChatAPI) -> None:
    now = time.time()
    status = _wechat_router(None, now).deliverability(f"wechat:{OPENID}", [{"event": "user", "timestamp": now}])
    assert status["deliverable"] is False and status["reason"] == "wechat_not_configured"
    assert "WECHAT_APP_SECRET" in (status["message"] or "")
    env = {"WECHAT_TOKEN": "t0ken", "WECHAT_APPID": "wx1"}  # no WECHAT_APP_SECRET
    built = build_router(lambda sid, msg: asyncio.sleep(0), lambda: None, env)
    assert built.deliverability(f"wechat:{OPENID}", [{"event": "user", "timestamp": now}])["reason"] == (
        "wechat_not_configured"
    )


def test_wechat_refusing_45015_is_reported_and_remembered_until_the_user_writes_again(
    wechat_api: FakeWeChatAPI,
) -> None:
    now = time.time()
    router_ = _wechat_router(wechat_api, now)
    wechat_api.refuse(OPENID, WINDOW_CLOSED)
    last = now - HOUR  # inside 48 h by our clock, but WeChat says otherwise (e.g. a clock off, or its own rules)
    result = asyncio.run(router_.deliver(f"wechat:{OPENID}", ["您好"], kind="staff", last_user_at=last))
    assert result["delivered"] is False and result["sent"] == 0 and result["reason"] == "wechat_window_closed"
    assert router_.deliverability(f"wechat:{OPENID}", [{"event": "user", "timestamp": last}])["deliverable"] is False
    # The user writes again: the window is open again.
    wechat_api.refusals.clear()
    assert router_.deliverability(f"wechat:{OPENID}", [{"event": "user", "timestamp": now}])["deliverable"] is True


def test_an_account_without_the_customer_service_api_48001_says_so_for_every_wechat_user(
    wechat_api: FakeWeChatAPI,
) -> None:
    now = time.time()
    router_ = _wechat_router(wechat_api, now)
    wechat_api.refuse(OPENID, NO_PERMISSION)
    result = asyncio.run(router_.deliver(f"wechat:{OPENID}", ["您好"], last_user_at=now))
    assert result["delivered"] is False and result["reason"] == "wechat_refused" and "48001" in result["message"]
    other = router_.deliverability("wechat:oSomebodyElse", [{"event": "user", "timestamp": now}])
    assert other["deliverable"] is False and other["reason"] == "wechat_refused"


def test_another_wechat_error_is_reported_with_its_code(wechat_api: FakeWeChatAPI) -> None:
    now = time.time()
    wechat_api.refuse(OPENID, 45047)  # 客服接口下行条数超过上限
    result = asyncio.run(_wechat_router(wechat_api, now).deliver(f"wechat:{OPENID}", ["a", "b"], last_user_at=now))
    assert result["delivered"] is False and result["reason"] == "wechat_error" and "45047" in result["message"]


# --- Telegram --------------------------------------------------------------------------------------
@pytest.fixture
def bot_api():
    with FakeBotAPI() as api:
        yield api


def _telegram_router(api: FakeBotAPI) -> Router:
    settings = TelegramSettings.from_env({"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url})
    return Router({"telegram": TelegramSender(settings)})


def test_a_staff_reply_reaches_a_telegram_chat_through_the_bot_api(bot_api: FakeBotAPI) -> None:
    router_ = _telegram_router(bot_api)
    assert router_.deliverability("telegram:4242", [])["deliverable"] is True

    async def both() -> List[Dict[str, Any]]:
        private = await router_.deliver("telegram:4242", ["您好，我是热线工作人员。"], kind="staff")
        group = await router_.deliver("telegram:-100777:4243", ["已交还"], kind="resumed")
        return [private, group]

    private, group = asyncio.run(both())
    assert private["delivered"] and private["sent"] == 1 and group["delivered"]
    assert [m["text"] for m in bot_api.sent_to(4242)] == [
        channel_text("telegram", "staff_reply", text="您好，我是热线工作人员。")
    ]
    assert [m["text"] for m in bot_api.sent_to(-100777)] == ["已交还"]  # the group member's conversation: the group


def test_a_telegram_user_who_blocked_the_bot_is_reported_not_lost(bot_api: FakeBotAPI) -> None:
    bot_api.blocked.add(5151)
    result = asyncio.run(_telegram_router(bot_api).deliver("telegram:5151", ["您好"], kind="staff"))
    assert result["delivered"] is False and result["sent"] == 0 and result["reason"] == "telegram_blocked"
    assert result["message"] and "屏蔽" in result["message"]


def test_a_wrong_bot_token_is_reported(bot_api: FakeBotAPI) -> None:
    settings = TelegramSettings.from_env({"TELEGRAM_BOT_TOKEN": "1:wrong", "TELEGRAM_API_BASE_URL": bot_api.base_url})
    result = asyncio.run(Router({"telegram": TelegramSender(settings)}).deliver("telegram:1", ["x"]))
    assert result["delivered"] is False and result["reason"] == "telegram_error"


def test_without_a_bot_token_telegram_users_cannot_be_reached() -> None:
    built = build_router(lambda sid, msg: asyncio.sleep(0), lambda: None, {})
    status = built.deliverability("telegram:1", [])
    assert status["deliverable"] is False and status["reason"] == "telegram_not_configured"


# --- REST, and before installation ----------------------------------------------------------------
def test_a_rest_conversation_cannot_be_pushed_and_says_so() -> None:
    built = build_router(lambda sid, msg: asyncio.sleep(0), lambda: None, {})
    status = built.deliverability("demo-user", [{"event": "user", "timestamp": time.time()}])
    assert status["deliverable"] is False and status["reason"] == "rest_cannot_push" and "REST" in status["message"]
    result = asyncio.run(built.deliver("demo-user", ["hi"]))
    assert result["delivered"] is False and result["reason"] == "rest_cannot_push"


def test_the_module_level_deliver_uses_the_installed_router() -> None:
    previous = router.installed()
    emitted: List[tuple] = []

    async def emit(session: str, message: Dict[str, Any]) -> None:
        emitted.append((session, message))

    try:
        router.install(None)
        assert asyncio.run(router.deliver("0" * 32, ["x"]))["reason"] == "not_installed"
        build_router(emit, lambda: None, {})
        result = asyncio.run(router.deliver("0" * 32, ["x", "y"], kind="resumed"))
        assert result["delivered"] and result["sent"] == 2
        assert emitted == [("0" * 32, {"text": "x", "resumed": True}), ("0" * 32, {"text": "y", "resumed": True})]
    finally:
        router.install(previous)


# --- web chat across replicas: two socket.io servers sharing Redis --------------------------------
def test_a_web_chat_message_emitted_on_one_server_reaches_a_widget_connected_to_another() -> None:
    """Two AsyncServers, each with python-socketio's AsyncRedisManager on the real Redis (127.0.0.1:6379),
    as two replicas run them (bot/channels/webchat/channel.py): the console's replica emits, the widget
    is connected to the other."""
    from tests.support.socketio_replicas import two_replicas_deliver

    channel = f"wanqitest{secrets.token_hex(6)}:socketio"
    received = asyncio.run(two_replicas_deliver("redis://127.0.0.1:6379/1", channel))
    assert received == [{"text": "您好，我是热线工作人员。", "staff": True}]


def test_the_web_chat_sender_emits_one_event_per_text_with_the_widgets_flag() -> None:
    emitted: List[tuple] = []

    async def emit(session: str, message: Dict[str, Any]) -> None:
        emitted.append((session, message))

    result = asyncio.run(WebChatSender(emit).send("a" * 32, ["一", "二"], "staff", None))
    assert result["delivered"] and result["sent"] == 2
    assert emitted == [("a" * 32, {"text": "一", "staff": True}), ("a" * 32, {"text": "二", "staff": True})]


def test_staff_replies_and_the_wechat_channel_share_one_access_token(wechat_api: FakeWeChatAPI) -> None:
    # Two senders would fetch a token each, and each fetch ends the other's token at WeChat.
    env = {"WECHAT_TOKEN": "t0ken", "WECHAT_APPID": "wxdelivery", "WECHAT_APP_SECRET": "delivery-secret",
           "WECHAT_API_BASE_URL": wechat_api.base_url}  # fmt: skip
    from bot.channels.wechat.customer_service import shared_sender
    from bot.channels.wechat.settings import WeChatSettings

    settings = WeChatSettings.from_env(env)
    channel_sender = shared_sender(settings.app_id, settings.app_secret, settings.api_base_url, None, None)
    built = build_router(lambda sid, msg: asyncio.sleep(0), lambda: None, env)
    now = time.time()
    asyncio.run(built.deliver(f"wechat:{OPENID}", ["一"], last_user_at=now))
    asyncio.run(channel_sender.send_texts(OPENID, ["二"]))
    assert wechat_api.texts_to(OPENID) == ["一", "二"] and wechat_api.token_requests == 1


def test_a_telegram_sender_id_without_a_numeric_chat_is_not_tried(bot_api: FakeBotAPI) -> None:
    router_ = _telegram_router(bot_api)
    for sender_id in ("telegram:abc", "telegram:", "telegram:1:2:3"):
        assert router_.deliverability(sender_id, [])["reason"] == "telegram_bad_sender"
        assert asyncio.run(router_.deliver(sender_id, ["x"]))["delivered"] is False
    assert bot_api.calls_of("sendMessage") == []


def _replica(api: FakeWeChatAPI, prefix: str) -> Router:
    """A router as one Rasa replica builds it, with the real Redis for what replicas share."""
    env = {"WECHAT_TOKEN": "t0ken", "WECHAT_APPID": "wxdelivery", "WECHAT_APP_SECRET": "delivery-secret",
           "WECHAT_API_BASE_URL": api.base_url, "REDIS_URL": "redis://127.0.0.1:6379/0",
           "REDIS_KEY_PREFIX": prefix}  # fmt: skip
    return build_router(lambda sid, msg: asyncio.sleep(0), lambda: None, env)


def test_a_45015_one_replica_met_is_known_on_another_until_the_user_writes_again(
    wechat_api: FakeWeChatAPI, redis_key_prefix: str
) -> None:
    prefix = f"{redis_key_prefix}w{secrets.token_hex(3)}"
    first, second = _replica(wechat_api, prefix), _replica(wechat_api, prefix)
    openid, last = f"oReplica{secrets.token_hex(4)}", time.time() - HOUR
    wechat_api.refuse(openid, WINDOW_CLOSED)
    result = asyncio.run(first.deliver(f"wechat:{openid}", ["您好"], kind="staff", last_user_at=last))
    assert result["delivered"] is False and result["reason"] == "wechat_window_closed"
    status = second.deliverability(f"wechat:{openid}", [{"event": "user", "timestamp": last}])
    assert status["deliverable"] is False and status["reason"] == "wechat_window_closed"
    # The user writes again (through either replica): the window is open on both.
    wechat_api.refusals.clear()
    again = [{"event": "user", "timestamp": time.time()}]
    assert second.deliverability(f"wechat:{openid}", again)["deliverable"] is True
    assert first.deliverability(f"wechat:{openid}", again)["deliverable"] is True
    # Other users of the account are not affected.
    assert second.deliverability("wechat:oSomebodyElse", [{"event": "user", "timestamp": last}])["deliverable"]


def test_a_48001_one_replica_met_is_known_on_another_for_every_wechat_user(
    wechat_api: FakeWeChatAPI, redis_key_prefix: str
) -> None:
    prefix = f"{redis_key_prefix}a{secrets.token_hex(3)}"
    first, second = _replica(wechat_api, prefix), _replica(wechat_api, prefix)
    now = time.time()
    wechat_api.refuse(OPENID, NO_PERMISSION)
    result = asyncio.run(first.deliver(f"wechat:{OPENID}", ["您好"], last_user_at=now))
    assert result["delivered"] is False and result["reason"] == "wechat_refused"
    other = second.deliverability("wechat:oSomebodyElse", [{"event": "user", "timestamp": now}])
    assert other["deliverable"] is False and other["reason"] == "wechat_refused"
    # Another deployment (its own key prefix) on the same Redis knows nothing of it.
    elsewhere = _replica(wechat_api, f"{prefix}x")
    assert elsewhere.deliverability("wechat:oSomebodyElse", [{"event": "user", "timestamp": now}])["deliverable"]


def test_with_redis_not_answering_a_refusal_is_not_remembered_and_nothing_raises() -> None:
    import redis

    from bot.channels.delivery.wechat_refusals import RedisRefusals

    down = RedisRefusals(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1), "wanqitest", "wx1")
    down.refuse_account(time.time())
    down.close_window(OPENID, 10.0)
    assert down.account_refused(time.time()) is False  # WeChat is tried, and says again if it refuses
    assert down.window_closed(OPENID, 10.0) is False
