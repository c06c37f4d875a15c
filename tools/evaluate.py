"""Score the held-out question sets through the running REST channel.

    python -m tools.evaluate                 # trains if needed, starts a private stack on free ports
    python -m tools.evaluate --url http://127.0.0.1:5005   # against an assistant already running
    python -m tools.evaluate --set fresh     # one set only (default: every set)

The sets (SETS below), scored and reported separately:
- heldout: tests/heldout/questions.yml, the first set (seen by whoever later extended the
  training data, so its number is optimistic; the quality gate reads this one);
- fresh, third, fourth, fifth, sixth, seventh, eighth, ninth, tenth, eleventh, twelfth (BLIND_SETS):
  tests/heldout/<name>_questions.yml, each written blind to the training data and to the sets
  before it (see each file's header).

Each question goes to a new conversation; what counts is the answer card of the reply:
- clause accuracy: a measure question is right when the card cites exactly its measure;
- out-of-scope rejection: an out-of-scope question is rejected when the reply cites nothing: an
  out_of_scope card, a fallback card (the NLU was unsure), or a chit-chat reply without a card
  (greeting, "I am a bot") that names no 第N条; the strict rate, also reported, counts the last as misses.
Writes reports/heldout.json, keyed by set (per set: its file, when it was scored, the summary and
every question with its card, right or wrong), and reports/heldout-summary.md with a section per
set, and prints the summary. Scoring one set keeps the other set's last results in both files.
"""

from __future__ import annotations

import argparse
import json
import secrets
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.paths import PROJECT_DIR
from bot.training.heldout_score import CITATION, REJECTING_KINDS, is_rejection, is_right  # noqa: F401

HELDOUT_DIR = PROJECT_DIR / "tests" / "heldout"
HELDOUT_FILE = HELDOUT_DIR / "questions.yml"
# The later sets, oldest first. A new set is a file <name>_questions.yml and a name here.
BLIND_SETS = [
    "fresh",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
]
# Set name → question file; the order is the order of the report sections.
SETS = {"heldout": HELDOUT_FILE, **{name: HELDOUT_DIR / f"{name}_questions.yml" for name in BLIND_SETS}}
REPORTS_DIR = PROJECT_DIR / "reports"


@dataclass
class Outcome:
    question: str
    style: str
    expected: List[int]
    kind: str | None
    citations: List[int]
    right: bool
    text: str
    # The classifier's best intents for the question ("measure_x 0.54"), when the server's API
    # could be asked (a private stack, or --url with --token): why a miss was missed.
    intents: List[str] = field(default_factory=list)


def load_heldout(path: Path = HELDOUT_FILE) -> List[Dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def score(ask, questions: List[Dict[str, Any]]) -> List[Outcome]:
    """``ask(question) -> (Reply, intents)``: tests/assistant_client.Reply or the same shape, and
    the classifier's best intents as text (may be empty)."""
    outcomes = []
    for item in questions:
        reply, intents = ask(item["q"])
        card = reply.card
        outcomes.append(
            Outcome(
                question=item["q"],
                style=item["style"],
                expected=list(item["expect"]),
                kind=card.get("kind") if card else None,
                citations=list(card.get("citations") or []) if card else [],
                right=is_right(list(item["expect"]), card, reply.text),
                text=reply.text[:200],
                intents=intents,
            )
        )
    return outcomes


def _rate(outcomes: List[Outcome]) -> float:
    return sum(o.right for o in outcomes) / len(outcomes) if outcomes else 0.0


def summarise(outcomes: List[Outcome]) -> Dict[str, Any]:
    measure = [o for o in outcomes if o.expected]
    oos = [o for o in outcomes if not o.expected]
    return {
        "questions": len(outcomes),
        "measure_questions": len(measure),
        "out_of_scope_questions": len(oos),
        "clause_accuracy": round(_rate(measure), 4),
        "clause_accuracy_direct": round(_rate([o for o in measure if o.style == "direct"]), 4),
        "clause_accuracy_paraphrase": round(_rate([o for o in measure if o.style == "paraphrase"]), 4),
        "out_of_scope_rejection": round(_rate(oos), 4),
        # Chit-chat replies without a card counted as misses (the definition before 2026-11-28).
        "out_of_scope_rejection_strict": round(
            sum(o.right and o.kind is not None for o in oos) / len(oos) if oos else 0.0, 4
        ),
        "out_of_scope_kind_counts": dict(Counter(o.kind or "none" for o in oos)),
        "measures_covered": sorted({o.expected[0] for o in measure}),
    }


def render_section(name: str, result: Dict[str, Any]) -> str:
    """One set's section of the summary: ``result`` is that set's entry of heldout.json."""
    summary = result["summary"]
    lines = [
        f"## {name} ({result['file']}, scored {result['scored_at']})",
        "",
        f"- questions: {summary['questions']} ({summary['measure_questions']} about measures, "
        f"{summary['out_of_scope_questions']} out of scope)",
        f"- clause accuracy: {summary['clause_accuracy']:.1%} "
        f"(direct {summary['clause_accuracy_direct']:.1%}, paraphrase {summary['clause_accuracy_paraphrase']:.1%})",
        f"- out-of-scope rejection: {summary['out_of_scope_rejection']:.1%} "
        f"(strict, chit-chat replies counted as misses: {summary.get('out_of_scope_rejection_strict', 0):.1%}; "
        f"card kinds: {summary['out_of_scope_kind_counts']})",
        "",
        "### Misses",
        "",
    ]
    misses = [o for o in result["outcomes"] if not o["right"]]
    lines += [
        f"- `{o['question']}` expected {o['expected'] or 'no citation'}, got {o['kind']} {o['citations']}"
        + (f" ({', '.join(o['intents'])})" if o.get("intents") else "")
        for o in misses
    ]
    if not misses:
        lines.append("- none")
    return "\n".join(lines) + "\n"


def render_summary(results: Dict[str, Dict[str, Any]]) -> str:
    """``results``: set name → its entry of heldout.json."""
    sections = [render_section(name, results[name]) for name in _ordered(results)]
    return "# Held-out evaluation (through the REST channel, scored on the answer card)\n\n" + "\n".join(sections)


def _ordered(results: Dict[str, Any]) -> List[str]:
    return [name for name in SETS if name in results] + sorted(name for name in results if name not in SETS)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_DIR))
    except ValueError:
        return str(path)


def set_result(path: Path, outcomes: List[Outcome]) -> Dict[str, Any]:
    return {
        "file": _relative(path),
        "scored_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "summary": summarise(outcomes),
        "outcomes": [asdict(o) for o in outcomes],
    }


def previous_results(folder: Path) -> Dict[str, Dict[str, Any]]:
    """The sets in the last heldout.json (none if it is missing or in the old one-set format)."""
    path = folder / "heldout.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {name: result for name, result in data.items() if isinstance(result, dict) and "summary" in result}


def write_reports(scored: Dict[str, Dict[str, Any]], folder: Path = REPORTS_DIR) -> Dict[str, Dict[str, Any]]:
    """Write heldout.json and heldout-summary.md with the sets just ``scored`` (set name →
    ``set_result``) and, for the sets not scored this time, their last results. Returns all."""
    folder.mkdir(parents=True, exist_ok=True)
    results = {**previous_results(folder), **scored}
    results = {name: results[name] for name in _ordered(results)}
    (folder / "heldout.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / "heldout-summary.md").write_text(render_summary(results), encoding="utf-8")
    return results


def best_intents(client, sender: str, count: int = 3) -> List[str]:
    """The classifier's ``count`` best intents for the sender's last message, from its tracker
    (needs the server's API token; empty without one)."""
    if not client.api_token:
        return []
    events = client.tracker(sender).get("events") or []
    user = next((event for event in reversed(events) if event.get("event") == "user"), None)
    ranking = ((user or {}).get("parse_data") or {}).get("intent_ranking") or []
    return [f"{item['name']} {item['confidence']:.2f}" for item in ranking[:count]]


def ask_and_explain(client, question: str):
    sender = client.new_sender()
    reply = client.ask(sender, question)
    return reply, best_intents(client, sender)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an assistant already running (Rasa server URL)")
    parser.add_argument("--token", help="that server's API token (adds the classifier's best intents to the misses)")
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        choices=[*SETS, "all"],
        help="the question set to score (repeatable; default: all): "
        + ", ".join(f"{name} = {_relative(path)}" for name, path in SETS.items()),
    )
    args = parser.parse_args(argv)
    chosen = list(SETS) if not args.sets or "all" in args.sets else list(dict.fromkeys(args.sets))

    from tools.assistant_client import AssistantClient

    stack = None
    url, token = args.url, args.token
    if not url:
        from bot.processes import servers
        from bot.training import model
        from knowledge import loader

        loader.load()
        trained = model.ensure_model()
        workdir = Path(tempfile.mkdtemp(prefix="wanqi-eval-"))
        token = secrets.token_hex(12)
        print(f"Starting a private assistant (logs in {workdir}) …", flush=True)
        stack = servers.start_private_stack(trained, workdir, api_token=token)
        url = stack.rasa_url
    try:
        client = AssistantClient(url, api_token=token)
        scored = {}
        for name in chosen:
            started = time.monotonic()
            print(f"Scoring {name} ({_relative(SETS[name])}) …", flush=True)
            outcomes = score(lambda q: ask_and_explain(client, q), load_heldout(SETS[name]))
            scored[name] = set_result(SETS[name], outcomes)
            print(f"Scored {len(outcomes)} questions in {time.monotonic() - started:.0f} s", flush=True)
        results = write_reports(scored)
        print(render_summary(results))
        print("→ reports/heldout-summary.md, reports/heldout.json")
    finally:
        if stack is not None:
            stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
