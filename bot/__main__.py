"""Run 皖企政策助手: ``python -m bot run | shell | train | prepare`` (make run / make shell)."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from typing import List

from bot.paths import PROJECT_DIR, VAR_DIR
from bot.processes import capacity, env_file, servers
from bot.processes.supervisor import raise_keyboard_interrupt, run_until_stopped, stop_on_signals
from bot.stores import retention
from bot.stores import settings as stores
from bot.stores.endpoints import write_endpoints
from bot.training import model
from knowledge import loader
from knowledge.db import database_url

SAMPLE_QUESTION = "徽商服务卡有什么用"


def step(number: int, total: int, text: str) -> None:
    print(f"[{number}/{total}] {text}", flush=True)


def prepare() -> None:
    report = loader.load()
    print(f"      knowledge base: {report.measures} measures, {report.aliases} aliases → {database_url()}")


def _console_line(port: int) -> str:
    if os.environ.get("CONSOLE_TOKEN"):
        return f"Staff console: http://localhost:{port}/console/  (sign in with the token in CONSOLE_TOKEN)"
    return f"Staff console: disabled; set CONSOLE_TOKEN=<a secret> to enable http://localhost:{port}/console/"


def _wechat_state() -> str:
    return "configured" if os.environ.get("WECHAT_TOKEN") else "set WECHAT_TOKEN, WECHAT_APPID … to enable, see README"


def _banner(stack: servers.Stack, port: int, ready_s: float) -> str:
    curl = (
        f"curl -s http://localhost:{port}/webhooks/rest/webhook -H 'Content-Type: application/json' "
        f'-d \'{{"sender": "demo", "message": "{SAMPLE_QUESTION}"}}\''
    )
    return "\n".join(
        [
            "",
            f"皖企政策助手 is ready (started in {ready_s:.0f} s).",
            f"REST:     POST http://localhost:{port}/webhooks/rest/webhook",
            f"Try:      {curl}",
            f"socket.io: http://localhost:{port}/socket.io",
            f'Web chat: http://localhost:{port}/webchat/  (embed: <script src="http://localhost:{port}/webchat/widget.js"></script>)',
            _console_line(port),
            f"WeChat:   http://localhost:{port}/webhooks/wechat/webhook ({_wechat_state()})",
            "Terminal: make shell (in another terminal, after stopping this one)",
            *([hint] if (hint := capacity.scale_out_hint()) else []),
            "Press Ctrl-C to stop every process started here.",
            "",
        ]
    )


def check_stores() -> stores.StoreSettings:
    """The configured stores, after checking they answer (exits with a clear message if not)."""
    settings = stores.StoreSettings.from_env()
    try:
        stores.check_reachable(settings, database_url())
    except stores.StoreUnreachable as error:
        print(f"Could not start: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    return settings


def cmd_run(args: argparse.Namespace) -> int:
    stop_on_signals()

    def start() -> servers.Stack:
        check_stores()
        step(1, 3, "Loading the policy knowledge base")
        prepare()
        step(2, 3, "Checking the model")
        model_path = model.ensure_model()
        step(3, 3, f"Starting the action server (:{args.action_port}) and the Rasa server (:{args.port})")
        started = time.monotonic()
        stack = servers.start_stack(
            model_path, rasa_port=args.port, action_port=args.action_port, api_token=os.environ.get("RASA_API_TOKEN")
        )
        if os.environ.get("TELEGRAM_BOT_TOKEN"):
            print("      TELEGRAM_BOT_TOKEN is set: starting the Telegram bridge", flush=True)
            stack.processes.append(servers.start_telegram_bridge(stack.rasa_url, internal_token=stack.internal_token))
        print(_banner(stack, args.port, time.monotonic() - started), flush=True)
        return stack

    # A child that dies is restarted (with back-off); only Ctrl-C or SIGTERM end the run.
    return run_until_stopped(start)


def cmd_shell(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    prepare()
    model_path = model.ensure_model()
    action = servers.start_action_server(args.action_port)
    try:
        endpoints = write_endpoints(
            VAR_DIR / "endpoints.shell.yml", f"http://127.0.0.1:{args.action_port}/webhook", VAR_DIR / "tracker.db"
        )
        command = [sys.executable, "-m", "rasa", "shell", "--model", str(model_path), "--endpoints", str(endpoints)]
        return subprocess.call(command, cwd=PROJECT_DIR)
    except KeyboardInterrupt:
        return 0
    finally:
        action.stop()


def cmd_train(args: argparse.Namespace) -> int:
    prepare()
    model.ensure_model()
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Delete conversations older than CONVERSATION_RETENTION_DAYS (or --days) from the tracker store."""
    try:
        days = args.days or retention.retention_days()
    except ValueError as error:
        print(f"Could not purge: {error}", file=sys.stderr)
        return 2
    if not days:
        print(f"Nothing purged: set {retention.RETENTION_ENV} (days to keep conversations) or pass --days.")
        return 2
    url = (
        args.tracker_store
        or stores.StoreSettings.from_env().tracker_database_url
        or f"sqlite:///{VAR_DIR / 'tracker.db'}"
    )
    purged = retention.purge(url, days)
    print(
        f"Purged {purged.conversations} conversation(s) ({purged.events} events) with no activity for "
        f"{days} days from {stores.redacted(url)}."
    )
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    prepare()
    return 0


def main(argv: List[str] | None = None) -> int:
    env_file.load(PROJECT_DIR / ".env")
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler, help_text in [
        ("run", cmd_run, "load the knowledge base, train if needed, serve on REST and socket.io"),
        ("shell", cmd_shell, "chat in this terminal"),
        ("train", cmd_train, "train a model if config, domain or data changed"),
        ("prepare", cmd_prepare, "load the knowledge base only"),
        ("purge", cmd_purge, "delete conversations older than CONVERSATION_RETENTION_DAYS"),
    ]:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
        sub.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", 5055)))
        if name == "purge":
            sub.add_argument("--days", type=int, help=f"days to keep (default: {retention.RETENTION_ENV})")
            sub.add_argument("--tracker-store", help="SQLAlchemy URL (default: DATABASE_URL or var/tracker.db)")
        sub.set_defaults(run=handler)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
