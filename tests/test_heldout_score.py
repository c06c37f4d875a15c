"""How the model gate scores one held-out question (bot/training/heldout_score.py).

An out-of-scope question counts as rejected only when the reply says the assistant does not answer
it (docs/nlu-quality.md, issue 16): the fallback's suggestion buttons guess at a measure and an empty
reply says nothing, so neither is a rejection. ``make evaluate`` (tools/evaluate.py) and the gate
share this one definition.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.training import gate
from bot.training.heldout_score import COUNTING, chit_chat_texts, is_rejection, is_right
from tools import evaluate


def a_chit_chat_reply() -> str:
    texts = sorted(chit_chat_texts())
    assert texts, "domain.yml has chit-chat responses"
    return texts[0]


@pytest.mark.parametrize(
    "card, text, rejected",
    [
        ({"kind": "out_of_scope", "citations": []}, "这个问题超出了本助手的范围 …", True),
        ({"kind": "out_of_scope", "citations": [13]}, "第13条 …", False),
        # The fallback's suggestions ("您是想问…") do not say the question is out of scope.
        ({"kind": "fallback", "citations": []}, "您是想问以下哪一项？", False),
        ({"kind": "handoff", "citations": []}, "正在为您转接人工 …", False),
        ({"kind": "policy", "citations": [19]}, "第19条 …", False),
        (None, "", False),
        (None, "   ", False),
        # A text without a card that cites nothing is not enough: only the domain's own chit-chat replies.
        (None, "好的", False),
    ],
)
def test_what_the_gate_counts_as_a_rejection(card, text, rejected) -> None:
    assert is_rejection(card, text) is rejected
    assert is_right([], card, text) is rejected


def test_the_domains_chit_chat_reply_without_a_card_is_a_rejection() -> None:
    assert is_rejection(None, a_chit_chat_reply())
    assert is_rejection(None, a_chit_chat_reply() + "\n")


def test_make_evaluate_and_the_gate_count_the_same_way() -> None:
    cases = [
        ({"kind": "fallback", "citations": []}, "您是想问 …"),
        ({"kind": "out_of_scope", "citations": []}, "超出范围"),
        (None, ""),
        (None, a_chit_chat_reply()),
    ]
    for card, text in cases:
        assert evaluate.is_right([], card, text) == is_right([], card, text)


def test_serving_scores_counted_the_old_way_are_measured_again(tmp_path: Path) -> None:
    sets = {"heldout": tmp_path / "questions.yml"}
    old = {"heldout": {"clause_accuracy": 0.97, "out_of_scope_rejection": 0.99}}
    new = {"heldout": {"clause_accuracy": 0.97, "out_of_scope_rejection": 0.95, "counting": COUNTING}}
    serving = tmp_path / "wanqi-x.tar.gz"
    assert gate.known_scores(tmp_path, serving, sets, {"serving": str(serving), "serving_scores": old}) is None
    assert gate.known_scores(tmp_path, serving, sets, {"serving": str(serving), "serving_scores": new}) == new


def test_the_lenient_count_of_the_old_floor_is_kept_beside_the_strict_one() -> None:
    from bot.training.heldout_score import is_lenient_rejection

    assert is_lenient_rejection({"kind": "fallback", "citations": []}, "您是想问 …")
    assert not is_rejection({"kind": "fallback", "citations": []}, "您是想问 …")
    assert is_lenient_rejection(None, "") and not is_rejection(None, "")


def test_every_heldout_floor_is_a_number_the_gate_measures() -> None:
    import yaml

    from tools.quality_gate import FLOOR_FILE

    measured = {"questions", "clause_accuracy", "out_of_scope_rejection", "out_of_scope_rejection_lenient"}
    floors = yaml.safe_load(FLOOR_FILE.read_text(encoding="utf-8"))["heldout"]
    assert set(floors) <= measured
