"""The Telegram bridge: a python-telegram-bot Application that forwards chats to the Rasa REST channel.

Run by ``make run`` when TELEGRAM_BOT_TOKEN is set, or alone: ``python -m bot.channels.telegram.bridge``.
Long polling by default; webhook mode when TELEGRAM_WEBHOOK_URL is set (README, "Telegram").
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, List

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.channels.rasa_rest_client import RasaRestClient
from bot.channels.telegram.conversation import CHANNEL
from bot.channels.telegram.feedback import CALLBACK_PATTERN as FEEDBACK_CALLBACKS
from bot.channels.telegram.handlers import TelegramHandlers
from bot.channels.telegram.settings import TelegramSettings, TelegramSettingsError
from bot.channels.telegram.update_processor import ConversationOrderedUpdateProcessor

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
# Different conversations are answered in parallel, each one in order (ConversationOrderedUpdateProcessor).
CONCURRENT_UPDATES = 32


def build_application(settings: TelegramSettings, handlers: TelegramHandlers) -> Application:
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
        # Stays under Telegram's flood limits (30 messages/s overall, 20/min per group) and retries 429s.
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(ConversationOrderedUpdateProcessor(CONCURRENT_UPDATES))
        .build()
    )
    new_messages = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", handlers.start, filters=new_messages))
    application.add_handler(CommandHandler("help", handlers.help, filters=new_messages))
    application.add_handler(CommandHandler("reset", handlers.reset, filters=new_messages))
    # Rating taps first: their callback data is never a payload for the assistant.
    application.add_handler(CallbackQueryHandler(handlers.feedback.button, pattern=FEEDBACK_CALLBACKS))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(MessageHandler(new_messages & filters.TEXT & ~filters.COMMAND, handlers.text))
    application.add_handler(MessageHandler(new_messages & filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(new_messages & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.not_text))
    application.add_error_handler(handlers.error)
    return application


@asynccontextmanager
async def running_bridge(settings: TelegramSettings, poll_timeout_s: float = 10) -> AsyncIterator[Application]:
    """The bridge, started (getMe, then polling or webhook) until the block ends."""
    rasa = RasaRestClient(
        settings.rasa_url,
        input_channel=CHANNEL,
        timeout_s=settings.rasa_timeout_s,
        internal_token=settings.internal_token,
    )
    application = build_application(settings, TelegramHandlers(rasa))
    try:
        async with application:  # initialize (getMe: checks the token) … shutdown
            await application.start()
            updater = application.updater
            assert updater is not None
            if settings.webhook_url:
                await updater.start_webhook(
                    listen=settings.webhook_listen,
                    port=settings.webhook_port,
                    url_path=settings.webhook_path,
                    webhook_url=settings.webhook_url,
                    secret_token=settings.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            else:
                await updater.start_polling(
                    timeout=poll_timeout_s, allowed_updates=ALLOWED_UPDATES, error_callback=_log_polling_error
                )
            try:
                yield application
            finally:
                if updater.running:
                    await updater.stop()
                await application.stop()
    finally:
        await rasa.close()


def _log_polling_error(error: TelegramError) -> None:
    """PTB retries getUpdates on its own; one line per failure instead of a traceback."""
    logger.warning("Telegram Bot API: %s (retrying)", error)


async def serve(settings: TelegramSettings, ready_file: Path | None = None) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with running_bridge(settings) as application:
            mode = f"webhook {settings.webhook_url}" if settings.webhook_url else "long polling"
            print(
                f"Telegram bridge ready: @{application.bot.username} ({mode}) → {settings.rasa_url}",
                flush=True,
            )
            if ready_file is not None:
                ready_file.write_text(application.bot.username or "")
            await stop.wait()
    except InvalidToken:
        print("Telegram rejected TELEGRAM_BOT_TOKEN: check the token from @BotFather.", file=sys.stderr)
        return 1
    except TelegramError as error:
        print(
            f"Could not start the Telegram bridge ({type(error).__name__}: {error}). "
            f"Is the Bot API at {settings.api_base_url} reachable?",
            file=sys.stderr,
        )
        return 1
    print("Telegram bridge stopped.", flush=True)
    return 0


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.channels.telegram.bridge", description=__doc__)
    parser.add_argument("--ready-file", type=Path, help="written once the bridge is polling or listening")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = TelegramSettings.from_env()
    except TelegramSettingsError as error:
        print(error, file=sys.stderr)
        return 2
    return asyncio.run(serve(settings, args.ready_file))


if __name__ == "__main__":
    sys.exit(main())
