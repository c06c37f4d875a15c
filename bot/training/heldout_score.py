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
from functools import cache
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.paths import DOMAIN

# The domain.yml responses that answer chit-chat: the assistant's own reply to a question that is
# not about the policy (the greeting says what it covers; "I am a bot"; thanks; goodbye).
CHIT_CHAT_RESPONSES = ("utter_greet", "utter_iamabot", "utter_thank", "utter_goodbye")
# Which definition of an out-of-scope rejection a score was counted with (kept with the scores, so
# the gate never compares a candidate with serving-model scores counted another way).
COUNTING = "rejection-says-so-2026-12-04"


@cache
def chit_chat_texts(domain_file: Path = DOMAIN) -> frozenset:
    """The texts of the domain's chit-chat responses (CHIT_CHAT_RESPONSES), read from domain.yml."""
    responses = yaml.safe_load(domain_file.read_text(encoding="utf-8")).get("responses") or {}
    return frozenset(
        variant["text"].strip()
        for name in CHIT_CHAT_RESPONSES
        for variant in responses.get(name) or []
        if "text" in variant
    )


def is_chit_chat_reply(text: str) -> bool:
    return bool(text.strip()) and text.strip() in chit_chat_texts()


def is_rejection(card: Dict[str, Any] | None, text: str) -> bool:
    """An out-of-scope question is rejected only when the reply says the assistant does not answer
    it (docs/nlu-quality.md, issue 16): an out_of_scope card citing nothing, or, without a card,
    exactly one of the domain's chit-chat replies (CHIT_CHAT_RESPONSES: "I am a bot" to
    "你是真人还是机器人"). Not an empty reply, not the fallback's suggestion buttons ("您是想问…"
    guesses at a measure; it does not say the question is outside the policy), not a hand-off."""
    if card is None:
        return is_chit_chat_reply(text)
    return card.get("kind") == "out_of_scope" and not card.get("citations")


# The kinds of card of the old, lenient count of out-of-scope rejections (before 2026-12-03).
LENIENT_REJECTING_KINDS = ("out_of_scope", "fallback")
CITATION = re.compile(r"第\s*\d+\s*条")


def is_lenient_rejection(card: Dict[str, Any] | None, text: str) -> bool:
    """The count before 2026-12-03: any reply citing nothing, an empty one or the fallback's
    suggestions included; kept to compare with the numbers and the floor of that time."""
    if card is None:
        return not CITATION.search(text)
    return card.get("kind") in LENIENT_REJECTING_KINDS and not card.get("citations")


def is_right(expected: List[int], card: Dict[str, Any] | None, text: str = "", lenient: bool = False) -> bool:
    if not expected:
        return is_lenient_rejection(card, text) if lenient else is_rejection(card, text)
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
    right = {"measure": [0, 0], "oos": [0, 0], "oos_lenient": [0, 0]}
    missed: List[str] = []
    for item in questions:
        card, text = ask(rasa_url, item["q"])
        ok = is_right(list(item["expect"]), card, text)
        bucket = right["measure" if item["expect"] else "oos"]
        bucket[0] += ok
        bucket[1] += 1
        if not item["expect"]:
            right["oos_lenient"][0] += is_lenient_rejection(card, text)
            right["oos_lenient"][1] += 1
        if not ok:
            missed.append(item["q"])
    return {
        "questions": len(questions),
        "clause_accuracy": _share(right["measure"]),
        "out_of_scope_rejection": _share(right["oos"]),
        "out_of_scope_rejection_lenient": _share(right["oos_lenient"]),
        "missed": missed,
        "counting": COUNTING,
    }


def _share(counts: List[int]) -> float:
    return round(counts[0] / counts[1], 4) if counts[1] else 1.0
