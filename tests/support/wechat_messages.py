"""What WeChat's servers send to the webhook, built with wechatpy's own signing and crypto.

Also the settings the shared test server runs the WeChat channel with (tests/conftest.py sets
them in the environment before it starts the server), and a fake WeChat API they point at.
"""

from __future__ import annotations

import atexit
import base64
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Dict, Tuple

import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from tests.support.fake_wechat_api import FakeWeChatAPI

ACCOUNT = "gh_wanqi_test"  # the Official Account's own id (ToUserName of incoming messages)


@dataclass(frozen=True)
class WeChatTestSettings:
    token: str
    app_id: str
    app_secret: str
    aes_key: str

    @classmethod
    def generate(cls) -> WeChatTestSettings:
        return cls(
            token=secrets.token_hex(8),
            app_id="wx" + secrets.token_hex(8),
            app_secret=secrets.token_hex(16),
            aes_key=base64.b64encode(secrets.token_bytes(32)).decode()[:-1],  # 43 characters, as WeChat shows it
        )

    def env(self, api_base_url: str) -> Dict[str, str]:
        return {
            "WECHAT_TOKEN": self.token,
            "WECHAT_APPID": self.app_id,
            "WECHAT_APP_SECRET": self.app_secret,
            "WECHAT_ENCODING_AES_KEY": self.aes_key,
            "WECHAT_API_BASE_URL": api_base_url,
        }


# --- the settings and fake API of the shared test server -----------------------------------
SERVER_SETTINGS = WeChatTestSettings.generate()
_server_api: FakeWeChatAPI | None = None


def server_wechat_api() -> FakeWeChatAPI:
    """The fake WeChat API the shared test server's channel sends customer-service messages to."""
    global _server_api
    if _server_api is None:
        _server_api = FakeWeChatAPI(SERVER_SETTINGS.app_id, SERVER_SETTINGS.app_secret).start()
        atexit.register(_server_api.stop)
    return _server_api


def server_env() -> Dict[str, str]:
    return SERVER_SETTINGS.env(server_wechat_api().base_url)


# --- requests as WeChat makes them ---------------------------------------------------------
def signature(token: str, timestamp: str, nonce: str) -> str:
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    return signer.signature


def text_xml(openid: str, content: str, msg_id: int) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def image_xml(openid: str, msg_id: int) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
        f"<PicUrl><![CDATA[http://mmbiz.example/pic.jpg]]></PicUrl><MediaId><![CDATA[media-1]]></MediaId>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(openid: str, event: str, create_time: int | None = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event></xml>"
    )


class WeChatServerSimulator:
    """Posts to the webhook the way WeChat's servers do, in plain or safe (AES) mode."""

    def __init__(self, webhook_url: str, settings: WeChatTestSettings, safe_mode: bool = True) -> None:
        """``safe_mode``: the account's EncodingAESKey is configured, so WeChat encrypts every message."""
        self.webhook_url = webhook_url
        self.settings = settings
        self.safe_mode = safe_mode
        self.crypto = WeChatCrypto(settings.token, settings.aes_key, settings.app_id)

    def signed_query(self, token: str | None = None, timestamp: int | None = None) -> Dict[str, str]:
        stamp, nonce = str(timestamp or int(time.time())), secrets.token_hex(5)
        return {"signature": signature(token or self.settings.token, stamp, nonce), "timestamp": stamp, "nonce": nonce}

    def verify(self, echostr: str, token: str | None = None) -> Tuple[int, str]:
        query = {**self.signed_query(token), "echostr": echostr}
        return self._request("GET", query, None)

    def post(
        self, xml: str, encrypted: bool | None = None, token: str | None = None, **query_extra: str
    ) -> Tuple[int, str]:
        """POST ``xml`` (encrypted in safe mode unless told); returns (status, body) with an encrypted
        reply already decrypted."""
        encrypted = self.safe_mode if encrypted is None else encrypted
        query = self.signed_query(token)
        body = xml
        if encrypted:
            envelope = self.crypto.encrypt_message(xml, query["nonce"], query["timestamp"])
            fields = parse_message_envelope(envelope)
            # What WeChat posts in safe mode: only the account and the ciphertext travel in the clear.
            to_user = f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            body = f"<xml>{to_user}<Encrypt><![CDATA[{fields['Encrypt']}]]></Encrypt></xml>"
            query.update(encrypt_type="aes", msg_signature=fields["MsgSignature"])
        query.update(query_extra)
        status, text = self._request("POST", query, body.encode("utf-8"))
        if encrypted and status == 200 and text.startswith("<xml>"):
            reply = parse_message_envelope(text)
            text = self.crypto.decrypt_message(text, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"])
        return status, text

    def _request(self, method: str, query: Dict[str, str], body: bytes | None) -> Tuple[int, str]:
        url = f"{self.webhook_url}?{urllib.parse.urlencode(query)}"
        request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "text/xml"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", errors="replace")


def parse_message_envelope(xml: str) -> Dict[str, str]:
    return dict(xmltodict.parse(xml)["xml"])


def reply_text(xml: str) -> str:
    """The Content of a passive text reply."""
    return parse_message(xml).content
