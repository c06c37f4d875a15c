"""Settings of the Telegram bridge, from the environment (see README, "Telegram")."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from bot.channels import internal_callers

DEFAULT_API_BASE_URL = "https://api.telegram.org"
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token


class TelegramSettingsError(ValueError):
    """A setting is missing or wrong; the message says which and what to do."""


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    rasa_url: str
    # A Bot API server other than Telegram's (a local Bot API server, or a fake in tests).
    api_base_url: str = DEFAULT_API_BASE_URL
    # Webhook mode when set: Telegram POSTs updates to this public HTTPS URL.
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    rasa_timeout_s: float = 30.0
    # INTERNAL_CALLER_TOKEN: the REST channel lets only internal callers speak for telegram:<chat> senders.
    internal_token: str | None = None

    @property
    def bot_api_url(self) -> str:
        return f"{self.api_base_url.rstrip('/')}/bot"

    @property
    def bot_file_url(self) -> str:
        return f"{self.api_base_url.rstrip('/')}/file/bot"

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url or "").path.lstrip("/")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TelegramSettings:
        env = os.environ if env is None else env
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise TelegramSettingsError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it.")
        rasa_url = env.get("RASA_URL") or f"http://127.0.0.1:{env.get('RASA_PORT', '5005')}"
        webhook_url = env.get("TELEGRAM_WEBHOOK_URL") or None
        webhook_secret = env.get("TELEGRAM_WEBHOOK_SECRET") or None
        if webhook_url and not webhook_secret:
            raise TelegramSettingsError(
                "TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is not: webhook mode needs a secret "
                "(1-256 characters A-Z a-z 0-9 _ -) so that only Telegram can post updates."
            )
        if webhook_secret and not SECRET_TOKEN.fullmatch(webhook_secret):
            raise TelegramSettingsError("TELEGRAM_WEBHOOK_SECRET may only hold 1-256 characters A-Z a-z 0-9 _ -.")
        try:
            webhook_port = int(env.get("TELEGRAM_WEBHOOK_PORT", "8443"))
            rasa_timeout_s = float(env.get("TELEGRAM_RASA_TIMEOUT", "30"))
        except ValueError as error:
            message = f"TELEGRAM_WEBHOOK_PORT and TELEGRAM_RASA_TIMEOUT must be numbers: {error}"
            raise TelegramSettingsError(message) from error
        return cls(
            token=token,
            rasa_url=rasa_url,
            api_base_url=env.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_listen=env.get("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1"),
            webhook_port=webhook_port,
            rasa_timeout_s=rasa_timeout_s,
            internal_token=internal_callers.configured_token(env),
        )
