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
- out-of-scope rejection: an out-of-scope question is rejected only when the reply says it does not
  answer it: an out_of_scope card citing nothing (actions/out_of_scope.py, other_region.py), or,
  without a card, one of the assistant's fixed chit-chat replies of domain.yml (the definition is
  bot/training/heldout_score.py's ``is_rejection``, shared with the model gate: the greeting, which
  says what the assistant covers, "I am a bot", thanks, goodbye). An empty reply, a fallback card
  with suggestion buttons, a hand-off or any answer citing a measure is a miss. Also reported:
  the rate counting only out_of_scope cards, and the lenient rate of the numbers before
  2026-12-03 (any reply citing nothing, the fallback's suggestions included), to compare with them.
The eligibility dialogues (DIALOGUE_SETS, tools/eligibility_eval.py) are scored on the verdict and
citation of the last turn's card, with the false eligibles counted on their own.

Near copies: a question listed in tests/heldout/duplicates.yml (it copies an earlier set's question
or a training example, tools/heldout_copies.py) is scored and kept in the results but left out of
the set's headline numbers; the numbers over every question are reported beside them.

Writes reports/heldout.json, keyed by set (per set: its file, when it was scored, the summary and
every question with its card, right or wrong), and reports/heldout-summary.md with a section per
set, and prints the summary. Scoring one set keeps the other sets' last results in both files.
A private stack's scoring is also recorded in docs/eval/ (tools/eval_record.py): the first scoring
of each set for a given model and code is kept there, question by question, and is the headline.
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
from bot.training.heldout_score import is_right
from tools import eligibility_eval
from tools.heldout_copies import load_listed, load_listed_dialogues

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
# Sets of dialogues scored on the eligibility verdict (tools/eligibility_eval.py).
DIALOGUE_SETS = {"eligibility": HELDOUT_DIR / "eligibility_dialogues.yml"}
ALL_SETS = {**SETS, **DIALOGUE_SETS}
# Near copies between sets or of training examples, left out of the headline numbers.
DUPLICATES_FILE = HELDOUT_DIR / "duplicates.yml"
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
    # "fourth#18" when tests/heldout/duplicates.yml lists this question as a near copy of that one
    # ("training" for a training example): left out of the headline numbers.
    duplicate_of: str | None = None
    # Right by the count before 2026-12-03 (differs from ``right`` for out-of-scope questions only).
    lenient_right: bool = False


def load_heldout(path: Path = HELDOUT_FILE) -> List[Dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def score(ask, questions: List[Dict[str, Any]], duplicates: Dict[int, str] | None = None) -> List[Outcome]:
    """``ask(question) -> (Reply, intents)``: tools/assistant_client.Reply or the same shape, and
    the classifier's best intents as text (may be empty). ``duplicates``: question number (1-based)
    → what it copies (``listed_duplicates``)."""
    outcomes = []
    duplicates = duplicates or {}
    for number, item in enumerate(questions, start=1):
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
                lenient_right=is_right(list(item["expect"]), card, reply.text, lenient=True),
                text=reply.text[:200],
                intents=intents,
                duplicate_of=duplicates.get(number),
            )
        )
    return outcomes


def listed_dialogue_copies(set_name: str, path: Path = DUPLICATES_FILE) -> Dict[str, str]:
    """Dialogue id → the training file one of its turns copies, from tests/heldout/duplicates.yml."""
    return {c.id: f"training ({c.file}, turn {c.turn})" for c in load_listed_dialogues(path) if c.set_name == set_name}


def listed_duplicates(set_name: str, path: Path = DUPLICATES_FILE) -> Dict[int, str]:
    """Question number → "<set>#<number>" it copies (or "training"), from tests/heldout/duplicates.yml."""
    return {copy.number: f"{copy.of_set}#{copy.of_number}" if copy.of_number else copy.of_set
            for copy in load_listed(path) if copy.set_name == set_name}  # fmt: skip


def _rate(outcomes: List[Outcome]) -> float:
    return sum(o.right for o in outcomes) / len(outcomes) if outcomes else 0.0


def summarise(outcomes: List[Outcome]) -> Dict[str, Any]:
    """The headline numbers leave out the listed near copies (``duplicate_of``); ``*_all`` count every question."""
    counted = [o for o in outcomes if not o.duplicate_of]
    measure = [o for o in counted if o.expected]
    oos = [o for o in counted if not o.expected]
    every_measure = [o for o in outcomes if o.expected]
    every_oos = [o for o in outcomes if not o.expected]
    return {
        "questions": len(outcomes),
        "measure_questions": len(measure),
        "out_of_scope_questions": len(oos),
        "near_copies_left_out": len(outcomes) - len(counted),
        "clause_accuracy": round(_rate(measure), 4),
        "clause_accuracy_direct": round(_rate([o for o in measure if o.style == "direct"]), 4),
        "clause_accuracy_paraphrase": round(_rate([o for o in measure if o.style == "paraphrase"]), 4),
        "out_of_scope_rejection": round(_rate(oos), 4),
        # Only an out_of_scope card counts (the chit-chat replies counted as misses).
        "out_of_scope_rejection_card": round(_share(oos, lambda o: o.right and o.kind == "out_of_scope"), 4),
        # The count before 2026-12-03 (an empty reply or the fallback's suggestions counted as rejections).
        "out_of_scope_rejection_lenient": round(_share(oos, lambda o: o.lenient_right), 4),
        "clause_accuracy_all": round(_rate(every_measure), 4),
        "out_of_scope_rejection_all": round(_rate(every_oos), 4),
        "out_of_scope_kind_counts": dict(Counter(o.kind or "none" for o in oos)),
        "measures_covered": sorted({o.expected[0] for o in measure}),
    }


def _share(outcomes: List[Outcome], test) -> float:
    return sum(1 for o in outcomes if test(o)) / len(outcomes) if outcomes else 0.0


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
        f"(out_of_scope card only: {summary.get('out_of_scope_rejection_card', 0):.1%}; lenient count before "
        "2026-12-03, suggestions and empty replies as rejections: "
        f"{summary.get('out_of_scope_rejection_lenient', 0):.1%}; "
        f"reply kinds: {summary['out_of_scope_kind_counts']})",
    ]
    if summary.get("near_copies_left_out"):
        lines.append(
            f"- {summary['near_copies_left_out']} near copies (tests/heldout/duplicates.yml) left out of the numbers "
            f"above; over every question: clause accuracy {summary['clause_accuracy_all']:.1%}, "
            f"out-of-scope rejection {summary['out_of_scope_rejection_all']:.1%}"
        )
    lines += [
        *_record_lines(result),
        "",
        "### Misses",
        "",
    ]
    misses = [o for o in result["outcomes"] if not o["right"]]
    lines += [
        f"- `{o['question']}` expected {o['expected'] or 'no citation'}, got {o['kind']} {o['citations']}"
        + (f" ({', '.join(o['intents'])})" if o.get("intents") else "")
        + (f" [near copy of {o['duplicate_of']}, not counted]" if o.get("duplicate_of") else "")
        for o in misses
    ]
    if not misses:
        lines.append("- none")
    return "\n".join(lines) + "\n"


def _record_lines(result: Dict[str, Any]) -> List[str]:
    """Whether this scoring is the set's headline: the first scoring of this version (docs/eval/)."""
    first = result.get("first_scoring")
    if not first:
        return ["- not recorded (an assistant given by --url, whose version is unknown): not a headline number"]
    if first["this_is_first"]:
        return [f"- first scoring of {result['version']}: the headline; rows kept in {first['rows']}"]
    differing = first["differing"]
    return [
        f"- **headline = first scoring of {result['version']}** ({first['scored_at']}, rows in {first['rows']}): "
        + ", ".join(f"{key} {first['summary'][key]:.1%}" for key in HEADLINE_KEYS if key in first["summary"])
        + f"; this rescoring differs on {len(differing)} item(s)"
        + (f" (#{', #'.join(map(str, differing[:20]))})" if differing else "")
    ]


# The figures a record's headline line quotes, when the set's summary has them.
HEADLINE_KEYS = ("clause_accuracy", "out_of_scope_rejection", "verdict_accuracy")


def render_any_section(name: str, result: Dict[str, Any]) -> str:
    if result.get("type") == "dialogues":
        text = eligibility_eval.render_dialogue_section(name, result)
        head, _, rest = text.partition("\n\n")
        return head + "\n\n" + "\n".join(_record_lines(result)) + "\n" + rest
    return render_section(name, result)


def render_summary(results: Dict[str, Dict[str, Any]]) -> str:
    """``results``: set name → its entry of heldout.json."""
    sections = [render_any_section(name, results[name]) for name in _ordered(results)]
    return "# Held-out evaluation (through the REST channel, scored on the answer card)\n\n" + "\n".join(sections)


def _ordered(results: Dict[str, Any]) -> List[str]:
    return [name for name in ALL_SETS if name in results] + sorted(name for name in results if name not in ALL_SETS)


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


def dialogue_set_result(path: Path, outcomes: List[eligibility_eval.DialogueOutcome]) -> Dict[str, Any]:
    return {
        "type": "dialogues",
        "file": _relative(path),
        "scored_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "summary": eligibility_eval.summarise_dialogues(outcomes),
        "outcomes": [asdict(o) for o in outcomes],
    }


def summary_from_rows(result_type: str | None, rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    """A set's summary recomputed from its kept rows (docs/eval/*.jsonl): what backs a headline."""
    if result_type == "dialogues":
        return eligibility_eval.summarise_dialogues([eligibility_eval.DialogueOutcome(**row) for row in rows])
    return summarise([Outcome(**row) for row in rows])


def score_set(name: str, client) -> Dict[str, Any]:
    """Score one set (question or dialogue set) through ``client``; its entry of heldout.json."""
    if name in DIALOGUE_SETS:
        path = DIALOGUE_SETS[name]
        dialogues = eligibility_eval.load_dialogues(path)
        converse = eligibility_eval.converse_through(client)
        return dialogue_set_result(
            path, eligibility_eval.score_dialogues(converse, dialogues, listed_dialogue_copies(name))
        )
    path = SETS[name]
    outcomes = score(lambda q: ask_and_explain(client, q), load_heldout(path), listed_duplicates(name))
    return set_result(path, outcomes)


def attach_record(name: str, result: Dict[str, Any], version, folder: Path | None = None) -> None:
    """Keep the first scoring of this version in docs/eval/ and note in ``result`` which is the headline."""
    from tools import eval_record

    folder = folder or eval_record.RECORD_DIR
    entry, is_first = eval_record.record_first_scoring(name, ALL_SETS.get(name) or PROJECT_DIR / result["file"],
                                                       result, version, folder)  # fmt: skip
    first_rows = result["outcomes"] if is_first else eval_record.read_rows(entry, folder)
    result["version"] = version.name
    result["first_scoring"] = {
        "this_is_first": is_first,
        "scored_at": entry["scored_at"],
        "summary": entry["summary"],
        "rows": _relative(folder / entry["rows"]),
        "differing": eval_record.differing_rows(first_rows, result["outcomes"]),
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
    parser.add_argument("--url", help="an assistant already running (Rasa server URL); its scoring is not recorded")
    parser.add_argument("--token", help="that server's API token (adds the classifier's best intents to the misses)")
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        choices=[*ALL_SETS, "all"],
        help="the set to score (repeatable; default: all): "
        + ", ".join(f"{name} = {_relative(path)}" for name, path in ALL_SETS.items()),
    )
    parser.add_argument("--no-record", action="store_true", help="do not keep this scoring in docs/eval/")
    parser.add_argument(
        "--list-copies",
        action="store_true",
        help="print the near copies found (entries for tests/heldout/duplicates.yml)",
    )
    args = parser.parse_args(argv)
    if args.list_copies:
        from tools import heldout_copies

        sets = {name: [q["q"] for q in load_heldout(path)] for name, path in SETS.items()}
        copies, in_training = heldout_copies.find_all(sets, PROJECT_DIR / "data")
        print(heldout_copies.render_listing(copies, in_training), end="")
        return 0
    everything = not args.sets or "all" in args.sets
    chosen = list(ALL_SETS) if everything else list(dict.fromkeys(args.sets))
    missing = [name for name in chosen if not ALL_SETS[name].exists()]
    if missing and not everything:
        parser.error(f"no file for {', '.join(missing)}: {', '.join(_relative(ALL_SETS[n]) for n in missing)}")
    for name in missing:
        print(f"Not scoring {name}: {_relative(ALL_SETS[name])} is not there.", flush=True)
    chosen = [name for name in chosen if name not in missing]

    from tools.assistant_client import AssistantClient

    stack = None
    version = None
    url, token = args.url, args.token
    if not url:
        from bot.processes import servers
        from bot.training import model
        from knowledge import loader
        from tools.eval_record import version_of

        loader.load()
        trained = model.ensure_model()
        version = None if args.no_record else version_of(trained)
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
            print(f"Scoring {name} ({_relative(ALL_SETS[name])}) …", flush=True)
            scored[name] = score_set(name, client)
            if version is not None:
                attach_record(name, scored[name], version)
            print(f"Scored {len(scored[name]['outcomes'])} items in {time.monotonic() - started:.0f} s", flush=True)
        results = write_reports(scored)
        print(render_summary(results))
        print("→ reports/heldout-summary.md, reports/heldout.json" + (", docs/eval/ (commit it)" if version else ""))
    finally:
        if stack is not None:
            stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
