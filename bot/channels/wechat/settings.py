"""Settings of the WeChat Official Account channel, from the environment (see README, "WeChat")."""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from typing import Mapping

DEFAULT_API_BASE_URL = "https://api.weixin.qq.com/cgi-bin/"
# WeChat drops the connection after 5 s and retries; answer passively well inside that. The window
# starts when the handler runs: under load a request can wait in the server before (measured: up to
# ~1.5 s with 20 users at once on 2 busy cores), hence 3 s and not 4.5.
DEFAULT_REPLY_WINDOW_S = 3.0

REQUIRED_HINT = (
    "set WECHAT_TOKEN (the Token of 服务器配置), WECHAT_APPID and WECHAT_APP_SECRET, "
    "and WECHAT_ENCODING_AES_KEY for safe mode (安全模式)"
)


class WeChatSettingsError(ValueError):
    """A setting is missing or wrong; the message says which and what to do."""


@dataclass(frozen=True)
class WeChatSettings:
    token: str
    app_id: str | None = None
    app_secret: str | None = None
    encoding_aes_key: str | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    reply_window_s: float = DEFAULT_REPLY_WINDOW_S
    # Shared by the replicas (access token, used signatures); None: kept in this process.
    redis_url: str | None = None
    redis_key_prefix: str | None = None

    @property
    def safe_mode(self) -> bool:
        """Messages may arrive encrypted (安全模式 / 兼容模式)."""
        return bool(self.encoding_aes_key)

    @property
    def can_send_later(self) -> bool:
        """Slow and long replies can go out through the customer-service message API."""
        return bool(self.app_id and self.app_secret)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WeChatSettings:
        env = os.environ if env is None else env
        token = env.get("WECHAT_TOKEN", "").strip()
        if not token:
            raise WeChatSettingsError(f"The WeChat channel is not configured: {REQUIRED_HINT}.")
        app_id = env.get("WECHAT_APPID", "").strip() or None
        aes_key = env.get("WECHAT_ENCODING_AES_KEY", "").strip() or None
        if aes_key is not None:
            if not app_id:
                raise WeChatSettingsError("WECHAT_ENCODING_AES_KEY needs WECHAT_APPID (safe mode checks it).")
            try:
                valid = len(aes_key) == 43 and len(base64.b64decode(aes_key + "=")) == 32
            except binascii.Error:
                valid = False
            if not valid:
                raise WeChatSettingsError(
                    "WECHAT_ENCODING_AES_KEY must be the 43-character EncodingAESKey shown in 服务器配置."
                )
        try:
            window = float(env.get("WECHAT_REPLY_WINDOW_S", DEFAULT_REPLY_WINDOW_S))
        except ValueError as error:
            raise WeChatSettingsError(f"WECHAT_REPLY_WINDOW_S must be a number of seconds: {error}") from error
        if not 0 < window < 5:
            raise WeChatSettingsError("WECHAT_REPLY_WINDOW_S must be between 0 and 5 (WeChat waits 5 s).")
        base_url = env.get("WECHAT_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
        return cls(
            token=token,
            app_id=app_id,
            app_secret=env.get("WECHAT_APP_SECRET", "").strip() or None,
            encoding_aes_key=aes_key,
            api_base_url=base_url if base_url.endswith("/") else base_url + "/",
            reply_window_s=window,
            redis_url=env.get("REDIS_URL", "").strip() or None,
            redis_key_prefix=env.get("REDIS_KEY_PREFIX", "").strip() or None,
        )
