"""How one held-out question is scored, on the answer card of the reply (docs/nlu-quality.md), and
scoring whole question sets against a running assistant's REST channel.

Shared by ``make evaluate`` (tools/evaluate.py) and the model gate (bot/training/gate.py), which
runs in the Rasa server's console and may not import tools/.
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List

import yaml

REJECTING_KINDS = ("out_of_scope", "fallback")
CITATION = re.compile(r"第\s*\d+\s*条")


def is_rejection(card: Dict[str, Any] | None, text: str) -> bool:
    """An out-of-scope question is rejected when the reply cites no measure: an out-of-scope or
    fallback card, or a reply without a card whose text cites no 第N条 either — the greeting or
    "I am a bot" reply to "你是真人还是机器人". Strict counting (``summarise``), used for the numbers
    before 2026-11-28, scores those replies as misses."""
    if card is None:
        return not CITATION.search(text)
    return card.get("kind") in REJECTING_KINDS and not card.get("citations")


def is_right(expected: List[int], card: Dict[str, Any] | None, text: str = "") -> bool:
    if not expected:
        return is_rejection(card, text)
    return card is not None and card.get("citations") == expected


def ask(rasa_url: str, question: str, timeout: float = 60) -> tuple:
    """(card or None, text) of the reply to ``question`` in a conversation of its own."""
    body = json.dumps({"sender": f"gate-{uuid.uuid4().hex[:12]}", "message": question}).encode()
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        messages = json.loads(response.read())
    cards = [m["custom"]["answer_card"] for m in messages if "answer_card" in (m.get("custom") or {})]
    return (cards[0] if cards else None), "\n".join(m["text"] for m in messages if m.get("text"))


def score_set(rasa_url: str, path: Path) -> Dict[str, Any]:
    """Clause accuracy and out-of-scope rejection of one question set, with the questions missed."""
    questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    right = {"measure": [0, 0], "oos": [0, 0]}
    missed: List[str] = []
    for item in questions:
        card, text = ask(rasa_url, item["q"])
        ok = is_right(list(item["expect"]), card, text)
        bucket = right["measure" if item["expect"] else "oos"]
        bucket[0] += ok
        bucket[1] += 1
        if not ok:
            missed.append(item["q"])
    return {
        "questions": len(questions),
        "clause_accuracy": round(right["measure"][0] / right["measure"][1], 4) if right["measure"][1] else 1.0,
        "out_of_scope_rejection": round(right["oos"][0] / right["oos"][1], 4) if right["oos"][1] else 1.0,
        "missed": missed,
    }
