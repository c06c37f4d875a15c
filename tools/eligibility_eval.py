"""Score the blind eligibility dialogues (tests/heldout/eligibility_dialogues.yml) through the REST channel.

Each dialogue is one conversation (one REST sender); its turns are sent in order and what counts
is the answer card of the reply to the LAST turn:
- right when the card's verdict is the expected one (``expect: none`` = the card gives no verdict:
  a measure without stated thresholds answers whom it is for, not eligible / not_eligible /
  need_info) AND the answer cites the dialogue's measure (the card's citations, or 第N条 in the
  text of that turn);
- a **false eligible** — the worst answer this assistant can give — is a verdict ``eligible`` where
  the stated facts call for ``not_eligible``, ``need_info`` or no verdict; it is counted on its own.
Numbers are reported per kind of dialogue (single, multi, negation, …), per measure and per
expected verdict, with a table of expected against given verdicts.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence

import yaml

KINDS = (
    "single",
    "multi",
    "facts_first",
    "negation",
    "title",
    "correction",
    "statement",
    "boundary",
    "colloquial",
    "traditional",
    "beneficiary",
    "english",
)
# "none": the card carries no verdict (null or absent).
EXPECTS = ("eligible", "not_eligible", "need_info", "none")
NO_VERDICT = "none"
CITATION_NUMBER = re.compile(r"第\s*(\d+)\s*条")


@dataclass(frozen=True)
class Dialogue:
    id: str
    measure: int
    kind: str
    turns: List[str]
    expect: str
    why: str = ""


@dataclass
class DialogueOutcome:
    id: str
    kind: str
    measure: int
    expect: str
    # What the last turn's card said: its kind, its verdict ("none" when it gave none), what it cites.
    card_kind: str | None
    verdict: str
    citations: List[int]
    cited: bool
    right: bool
    false_eligible: bool
    # The text of the last turn's reply (trimmed), and the card kind of every turn: where it went wrong.
    text: str
    turn_kinds: List[str | None] = field(default_factory=list)
    # "training (…)" when a turn copies a training example (tests/heldout/duplicates.yml): left out
    # of the headline rate (its false eligible, if any, still counts).
    duplicate_of: str | None = None


def load_dialogues(path: Path) -> List[Dialogue]:
    """The dialogues of a file, checked: a malformed entry is an error naming its id, not a silent miss."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["dialogues"]
    dialogues, seen = [], set()
    for entry in entries:
        ident = entry.get("id")
        problems = []
        if not ident or ident in seen:
            problems.append("a missing or repeated id")
        if entry.get("kind") not in KINDS:
            problems.append(f"kind {entry.get('kind')!r} not one of {', '.join(KINDS)}")
        if entry.get("expect") not in EXPECTS:
            problems.append(f"expect {entry.get('expect')!r} not one of {', '.join(EXPECTS)}")
        if not isinstance(entry.get("measure"), int) or not 1 <= entry["measure"] <= 22:
            problems.append(f"measure {entry.get('measure')!r} not a number 1–22")
        turns = entry.get("turns")
        if not turns or not all(isinstance(turn, str) and turn.strip() for turn in turns):
            problems.append("no turns, or an empty turn")
        if problems:
            raise ValueError(f"{path.name}: dialogue {ident!r} has {'; '.join(problems)}")
        seen.add(ident)
        dialogues.append(
            Dialogue(ident, entry["measure"], entry["kind"], list(turns), entry["expect"], entry.get("why", ""))
        )
    return dialogues


def cited_measures(card: Dict[str, Any] | None, text: str) -> List[int]:
    """The measures an answer cites: its card's citations and every 第N条 of its text."""
    numbers = set(card.get("citations") or []) if card else set()
    numbers |= {int(n) for n in CITATION_NUMBER.findall(text)}
    return sorted(numbers)


def verdict_of(card: Dict[str, Any] | None) -> str:
    verdict = (card or {}).get("verdict")
    return verdict if verdict in ("eligible", "not_eligible", "need_info") else NO_VERDICT


def judge(dialogue: Dialogue, replies: Sequence[Any]) -> DialogueOutcome:
    """``replies``: one tools.assistant_client.Reply (or the same shape) per turn."""
    last = replies[-1]
    card = last.card
    verdict = verdict_of(card)
    citations = cited_measures(card, last.text)
    cited = dialogue.measure in citations
    return DialogueOutcome(
        id=dialogue.id,
        kind=dialogue.kind,
        measure=dialogue.measure,
        expect=dialogue.expect,
        card_kind=card.get("kind") if card else None,
        verdict=verdict,
        citations=citations,
        cited=cited,
        right=verdict == dialogue.expect and cited,
        false_eligible=verdict == "eligible" and dialogue.expect != "eligible",
        text=last.text[:200],
        turn_kinds=[(reply.card or {}).get("kind") if reply.card else None for reply in replies],
    )


def score_dialogues(
    converse: Callable[[List[str]], Sequence[Any]], dialogues: List[Dialogue], duplicates: Dict[str, str] | None = None
) -> List[DialogueOutcome]:
    """``converse(turns)`` sends the turns in order in one new conversation and returns the replies;
    ``duplicates``: dialogue id → what it copies, left out of the headline."""
    outcomes = []
    for dialogue in dialogues:
        outcome = judge(dialogue, converse(dialogue.turns))
        outcome.duplicate_of = (duplicates or {}).get(dialogue.id)
        outcomes.append(outcome)
    return outcomes


def converse_through(client) -> Callable[[List[str]], Sequence[Any]]:
    """One new REST sender per dialogue (tools.assistant_client.AssistantClient)."""

    def converse(turns: List[str]) -> Sequence[Any]:
        sender = client.new_sender()
        return [client.ask(sender, turn) for turn in turns]

    return converse


def _group(outcomes: List[DialogueOutcome], key: Callable[[DialogueOutcome], Any]) -> Dict[str, Dict[str, Any]]:
    groups: Dict[Any, List[DialogueOutcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[key(outcome)].append(outcome)
    return {
        str(name): {"dialogues": len(items), "right": sum(o.right for o in items), "rate": round(_rate(items), 4)}
        for name, items in sorted(groups.items())
    }


def _rate(outcomes: List[DialogueOutcome]) -> float:
    return sum(o.right for o in outcomes) / len(outcomes) if outcomes else 0.0


def summarise_dialogues(every: List[DialogueOutcome]) -> Dict[str, Any]:
    """The headline leaves out the dialogues with a copied turn (``duplicate_of``); the false
    eligibles are counted over every dialogue, and ``verdict_accuracy_all`` too."""
    outcomes = [o for o in every if not o.duplicate_of]
    confusion: Counter = Counter((o.expect, o.verdict) for o in outcomes)
    return {
        "dialogues": len(outcomes),
        "near_copies_left_out": len(every) - len(outcomes),
        "verdict_accuracy_all": round(_rate(every), 4),
        "right": sum(o.right for o in outcomes),
        "verdict_accuracy": round(_rate(outcomes), 4),
        # Right verdict, whatever it cites: shows how many misses are only a missing citation.
        "verdict_only_accuracy": round(
            sum(o.verdict == o.expect for o in outcomes) / len(outcomes) if outcomes else 0.0, 4
        ),
        "false_eligible": sum(o.false_eligible for o in every),
        "false_eligible_ids": [o.id for o in every if o.false_eligible],
        "by_kind": _group(outcomes, lambda o: o.kind),
        "by_measure": {
            k: v for k, v in sorted(_group(outcomes, lambda o: o.measure).items(), key=lambda kv: int(kv[0]))
        },
        "by_expect": _group(outcomes, lambda o: o.expect),
        "confusion": {expect: {got: confusion[(expect, got)] for got in EXPECTS} for expect in EXPECTS},
    }


def render_dialogue_section(name: str, result: Dict[str, Any]) -> str:
    """One dialogue set's section of the summary: ``result`` is that set's entry of heldout.json."""
    s = result["summary"]
    lines = [
        f"## {name} ({result['file']}, scored {result['scored_at']})",
        "",
        f"- dialogues: {s['dialogues']}; right (verdict and citation): {s['right']} = {s['verdict_accuracy']:.1%} "
        f"(right verdict whatever the citation: {s['verdict_only_accuracy']:.1%})",
        f"- **false eligible** ('eligible' where the facts call for another answer): {s['false_eligible']}"
        + (f" ({', '.join(s['false_eligible_ids'])})" if s["false_eligible_ids"] else ""),
        "",
        "| kind | dialogues | right | rate |",
        "|---|---|---|---|",
        *[f"| {k} | {v['dialogues']} | {v['right']} | {v['rate']:.1%} |" for k, v in s["by_kind"].items()],
        "",
        "| measure | dialogues | right | rate |",
        "|---|---|---|---|",
        *[f"| 第{k}条 | {v['dialogues']} | {v['right']} | {v['rate']:.1%} |" for k, v in s["by_measure"].items()],
        "",
        "| expected \\ given | " + " | ".join(EXPECTS) + " |",
        "|---|" + "---|" * len(EXPECTS),
        *[
            f"| {expect} | " + " | ".join(str(row[got]) for got in EXPECTS) + " |"
            for expect, row in s["confusion"].items()
        ],
        "",
        "### Misses",
        "",
    ]
    misses = [o for o in result["outcomes"] if not o["right"]]
    lines += [
        f"- `{o['id']}` ({o['kind']}) expected {o['expect']} citing 第{o['measure']}条, got "
        f"{o['card_kind']} {o['verdict']} {o['citations']}"
        + (" — FALSE ELIGIBLE" if o["false_eligible"] else "")
        + (f" [copies {o['duplicate_of']}, not counted]" if o.get("duplicate_of") else "")
        for o in misses
    ]
    if not misses:
        lines.append("- none")
    return "\n".join(lines) + "\n"
