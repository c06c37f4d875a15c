"""The staff console against a real store: 100,000 conversations in SQLite and in PostgreSQL.

    python -m tools.bench.console                              # both stores, 100,000 conversations
    python -m tools.bench.console --stores sqlite --conversations 20000 --note "what else ran"

For each store it starts the assistant as `make run` does (a private stack, the store's tracker),
holds a few real conversations over REST (policy answers, an eligibility check, 转人工), clones
their stored events into N conversations spread over the last days (through the store's own
sessions, so the console's summary table is kept as the server keeps it; one in 5,000 is waiting
for staff), then measures over HTTP with the console token:

- list: GET /console/api/conversations, plain, searched by text, filtered by department and status;
- open: GET /console/api/conversations/<id> of random conversations;
- chat: one REST user's turns one after another, p50/p95, first alone and then with three consoles
  polling (list + the open conversation every 2 s, as web/src/console.js does).

Results go to reports/console-bench.json; ``--record`` adds a row to docs/benchmarks.md. A
maintainer tool, not a test: the numbers depend on the machine and its load, which are recorded.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List

from bot.paths import PROJECT_DIR
from bot.stores import conversation_index
from tools.bench.__main__ import git_commit, load_average, machine
from tools.bench.load import percentile

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
REPORT = PROJECT_DIR / "reports" / "console-bench.json"
DOC = PROJECT_DIR / "docs" / "benchmarks.md"
DOC_HEADING = "## The staff console with 100,000 conversations (tools/bench/console.py)"
TEMPLATES = [
    ["你好", "徽商服务卡有什么用", "那谁能办？", "谢谢"],
    ["担保费补贴怎么申请", "我们是融资担保公司", "年化费率1.1%", "是省级专精特新"],
    ["技改有什么补贴", "数字化转型有什么支持", "专精特新企业有什么支持"],
    ["个人所得税怎么退", "首台套怎么认定", "再见"],
]
HANDOFF_TEMPLATE = ["我能办徽商服务卡吗", "转人工"]
WAITING_EVERY = 5000
CHAT = [question for template in TEMPLATES for question in template]


def http_json(url: str, token: str | None = None, body: Any = None, timeout: float = 60) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=timeout) as reply:
        return json.loads(reply.read())


def timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def figures(values: List[float]) -> Dict[str, float]:
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95), "max": max(values)}


def open_store(kind: str, url: str | None) -> Any:
    from rasa.shared.core.domain import Domain

    from bot.paths import DOMAIN
    from bot.stores.bounded_tracker_store import BoundedSQLTrackerStore
    from bot.stores.sqlite_tracker_store import SQLiteTrackerStore

    domain = Domain.load(str(DOMAIN))
    if kind == "sqlite":
        return SQLiteTrackerStore(domain=domain, db=str(url))
    return BoundedSQLTrackerStore(domain=domain, host=url)


def seed(store: Any, templates: List[str], waiting: List[str], count: int, batch: int = 500) -> float:
    """Clone the stored events of ``templates`` (and of ``waiting`` every WAITING_EVERY-th) into
    ``count`` conversations ``bench-000000…``, the newest now, one every 5 s before it. The
    summaries are folded by the store's own upkeep (bot/stores/conversation_index.py)."""
    import sqlalchemy as sa

    rows: Dict[str, List[tuple]] = {}
    with store.engine.connect() as connection:
        found = connection.execute(
            sa.text("SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events "
                    "WHERE sender_id IN :senders ORDER BY id").bindparams(sa.bindparam("senders", expanding=True)),
            {"senders": templates + waiting},
        )  # fmt: skip
        for sender_id, *rest in found:
            rows.setdefault(sender_id, []).append(tuple(rest))
    started = time.perf_counter()
    now = time.time()
    table = store.SQLEvent.__table__
    for first in range(0, count, batch):
        inserted: List[Dict[str, Any]] = []
        folded: List[tuple] = []
        for number in range(first, min(count, first + batch)):
            held = number % WAITING_EVERY == WAITING_EVERY // 2
            source = waiting[0] if held else templates[number % len(templates)]
            events = rows[source]
            shift = now - (count - number) * 5 - events[-1][1]
            sender = f"bench-{number:06d}"
            for type_name, timestamp, intent_name, action_name, data in events:
                event = json.loads(data)
                event["timestamp"] = timestamp + shift
                row = {"sender_id": sender, "type_name": type_name, "timestamp": timestamp + shift,
                       "intent_name": intent_name, "action_name": action_name, "data": json.dumps(event)}  # fmt: skip
                inserted.append(row)
                folded.append((sender, event))
        # What the store's flush hook does for rows its sessions add, in one statement per batch.
        with store.engine.begin() as connection:
            connection.execute(table.insert(), inserted)
            conversation_index.apply_new_events(connection, folded)
        if (first // batch) % 20 == 0:
            print(f"  seeded {min(count, first + batch):,} / {count:,} conversations", flush=True)
    return time.perf_counter() - started


class Consoles:
    """Three staff consoles polling as web/src/console.js does: the list, then the open conversation."""

    def __init__(self, base: str, token: str, opened: str, count: int = 3) -> None:
        self.base, self.token, self.opened = base, token, opened
        self.stop = threading.Event()
        self.timings: List[float] = []
        self.threads = [threading.Thread(target=self._poll, daemon=True) for _ in range(count)]

    def _poll(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            self.timings.append(timed(lambda: http_json(f"{self.base}/console/api/conversations", self.token)))
            http_json(f"{self.base}/console/api/conversations/{self.opened}", self.token)
            self.stop.wait(max(0.0, 2.0 - (time.monotonic() - started)))

    def __enter__(self) -> Consoles:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


def previous_list_ms(store: Any, repeats: int) -> List[float]:
    """What the list cost before the summaries (main before 5a41002, in-process, without HTTP): the
    alphabetically last 200 sender ids of ``SELECT DISTINCT``, each whole tracker read and summarised."""
    import asyncio

    from bot.channels.webchat.conversations import summary

    async def listing() -> None:
        for sender_id in list(await store.keys())[-200:]:
            tracker = await store.retrieve_full_tracker(sender_id)
            summary(sender_id, [event.as_dict() for event in tracker.events] if tracker else [])

    return [timed(lambda: asyncio.run(listing())) for _ in range(repeats)]


def chat_turns(base: str, turns: int) -> List[float]:
    timings = []
    sender = f"chat-{uuid.uuid4().hex[:8]}"
    for number in range(turns):
        if number % 5 == 0:
            sender = f"chat-{uuid.uuid4().hex[:8]}"
        body = {"sender": sender, "message": CHAT[number % len(CHAT)]}
        timings.append(timed(lambda body=body: http_json(f"{base}/webhooks/rest/webhook", body=body)))
    return timings


def run_store(kind: str, count: int, pg_url: str, turns: int, model: Path) -> Dict[str, Any]:
    import sqlalchemy as sa

    from bot.processes.servers import start_private_stack
    from bot.stores.settings import StoreSettings

    workdir = Path(tempfile.mkdtemp(prefix=f"console-bench-{kind}-"))
    schema = f"console_bench_{secrets.token_hex(4)}"
    if kind == "sqlite":
        url: str = str(workdir / "tracker.db")
        stores = StoreSettings()
    else:
        admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = f"{pg_url}?options=-csearch_path%3D{schema}"
        stores = StoreSettings(tracker_database_url=url)
    token = secrets.token_hex(16)
    print(f"[{kind}] starting the assistant …", flush=True)
    stack = start_private_stack(model, workdir, stores=stores, extra_env={"CONSOLE_TOKEN": token})
    store = None
    try:
        base = stack.rasa_url
        templates = [f"template-{n}" for n in range(len(TEMPLATES))]
        for sender, questions in zip(templates, TEMPLATES, strict=True):
            for question in questions:
                http_json(f"{base}/webhooks/rest/webhook", body={"sender": sender, "message": question})
        for question in HANDOFF_TEMPLATE:
            http_json(f"{base}/webhooks/rest/webhook", body={"sender": "template-waiting", "message": question})
        store = open_store(kind, url)
        print(f"[{kind}] seeding {count:,} conversations …", flush=True)
        seed_s = seed(store, templates, ["template-waiting"], count)
        with store.engine.connect() as connection:
            events = connection.execute(sa.text("SELECT COUNT(*) FROM events")).scalar()
        print(f"[{kind}] {events:,} events; measuring …", flush=True)
        console = f"{base}/console/api/conversations"
        load_start = load_average()
        first = http_json(console, token)
        lists = {
            "plain": [timed(lambda: http_json(console, token)) for _ in range(20)],
            "search": [
                timed(lambda: http_json(f"{console}?q={urllib.parse.quote('专精特新')}", token)) for _ in range(10)
            ],  # fmt: skip
            "department": [
                timed(lambda: http_json(f"{console}?department={urllib.parse.quote('省财政')}", token))
                for _ in range(10)
            ],  # fmt: skip
            "waiting": [timed(lambda: http_json(f"{console}?status=waiting", token)) for _ in range(10)],
        }
        ids = [f"bench-{random.randrange(count):06d}" for _ in range(30)]
        opens = [timed(lambda sender=sender: http_json(f"{console}/{sender}", token)) for sender in ids]
        waiting_id = next((c["sender_id"] for c in first["conversations"] if c["status"] == "waiting"), ids[0])
        # Alternating blocks of 10 turns, so that both phases see the same drift of the machine's load.
        alone: List[float] = []
        with_consoles: List[float] = []
        polled: List[float] = []
        for _ in range(max(1, turns // 10)):
            alone += chat_turns(base, 10)
            with Consoles(base, token, waiting_id) as consoles:
                with_consoles += chat_turns(base, 10)
            polled += consoles.timings
        before = previous_list_ms(store, repeats=3)
        return {
            "store": kind,
            "conversations": count,
            "events": events,
            "seed_s": seed_s,
            "listed": len(first["conversations"]),
            "waiting_listed": sum(c["status"] == "waiting" for c in first["conversations"]),
            "list_ms": {name: figures(values) for name, values in lists.items()},
            "open_ms": figures(opens),
            "chat_ms": {"alone": figures(alone), "three_consoles": figures(with_consoles)},
            "console_list_ms_during_chat": figures(polled) if polled else None,
            "previous_list_ms": figures(before),
            "load_average": f"{load_start} → {load_average()}",
        }
    finally:
        stack.stop()
        if store is not None:
            store.engine.dispose()
        if kind == "postgresql":
            admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT", future=True)
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()


def doc_row(report: Dict[str, Any], result: Dict[str, Any]) -> str:
    lists = result["list_ms"]
    chat = result["chat_ms"]
    return (
        f"| {report['date']} | {report['commit']} | {result['store']} | {result['conversations']:,} "
        f"({result['events']:,} events) | {lists['plain']['p50']:.0f} / {lists['plain']['p95']:.0f} | "
        f"{lists['search']['p95']:.0f} / {lists['department']['p95']:.0f} / {lists['waiting']['p95']:.0f} | "
        f"{result['open_ms']['p50']:.0f} / {result['open_ms']['p95']:.0f} | "
        f"{chat['alone']['p50']:.0f} / {chat['alone']['p95']:.0f} | "
        f"{chat['three_consoles']['p50']:.0f} / {chat['three_consoles']['p95']:.0f} | "
        f"{result['previous_list_ms']['p50']:.0f} | "
        f"{result['listed']} ({result['waiting_listed']} waiting) | {result['load_average']} | {report['note']} |"
    )


TABLE_HEAD = (
    "| date (UTC) | commit | store | conversations | list p50 / p95 ms | search / department / waiting p95 ms "
    "| open p50 / p95 ms | chat alone p50 / p95 ms | chat with 3 consoles p50 / p95 ms "
    "| previous list (200 trackers) p50 ms | listed | load avg | note |\n" + "|---" * 13 + "|"
)


def record(report: Dict[str, Any]) -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = "\n".join(doc_row(report, result) for result in report["results"])
    if DOC_HEADING not in text:
        text = text.rstrip("\n") + f"\n\n{DOC_HEADING}\n\nMachine: {report['machine']}.\n\n{TABLE_HEAD}\n"
    DOC.write_text(text.rstrip("\n") + "\n" + rows + "\n", encoding="utf-8")


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--chat-turns", type=int, default=60)
    parser.add_argument("--note", default="")
    parser.add_argument("--record", action="store_true", help="add the results to docs/benchmarks.md")
    args = parser.parse_args(argv)

    from bot.training.model import ensure_model
    from knowledge import loader

    loader.load()
    model = ensure_model()
    report: Dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "commit": git_commit(),
        "machine": machine(),
        "note": args.note,
        "load_average_start": load_average(),
        "results": [],
    }
    for kind in [k.strip() for k in args.stores.split(",") if k.strip()]:
        result = run_store(kind, args.conversations, args.postgres_url, args.chat_turns, model)
        report["results"].append(result)
        print(json.dumps(result, ensure_ascii=False, indent=1), flush=True)
    report["load_average_end"] = load_average()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    for result in report["results"]:
        print(doc_row(report, result))
    if args.record:
        record(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
