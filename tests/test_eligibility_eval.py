"""The eligibility dialogue scorer, through the REST channel of a fake assistant (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.fake_rasa_rest import FakeRasaRest
from tools.assistant_client import AssistantClient
from tools.eligibility_eval import Dialogue, converse_through, load_dialogues, score_dialogues, summarise_dialogues


def card(verdict, citations):
    return {"custom": {"answer_card": {"kind": "eligibility", "verdict": verdict, "citations": citations}}}


def responder(body):
    """A fake assistant: its answer depends only on the message (the scorer sees the last one)."""
    message = body["message"]
    text = {"recipient_id": body["sender"], "text": "…"}
    if "符合" in message:
        return [text, card("eligible", [10])]
    if "无引用" in message:
        return [text, card("not_eligible", [])]
    if "正文引用" in message:
        return [{"recipient_id": body["sender"], "text": "依据第13条 …"}, card("not_eligible", [])]
    if "面向谁" in message:
        return [text, card(None, [14])]
    return [text, card("need_info", [10])]


DIALOGUES = [
    Dialogue("a", 10, "single", ["符合吗"], "eligible"),
    Dialogue("b", 10, "negation", ["符合吗"], "not_eligible"),  # false eligible
    Dialogue("c", 10, "single", ["无引用"], "not_eligible"),  # right verdict, no citation
    Dialogue("d", 13, "title", ["正文引用"], "not_eligible"),  # citation in the text only
    Dialogue("e", 14, "beneficiary", ["面向谁"], "none"),
    Dialogue("f", 14, "beneficiary", ["问问"], "none"),  # need_info is a verdict, not "none"
    Dialogue("g", 10, "multi", ["符合吗", "问问"], "need_info"),  # only the last turn counts
]


def test_dialogues_are_scored_on_the_last_turns_verdict_and_citation() -> None:
    with FakeRasaRest(responder) as fake:
        outcomes = score_dialogues(converse_through(AssistantClient(fake.url)), DIALOGUES, {"e": "training"})
        conversation = fake.conversation()
    assert [o.right for o in outcomes] == [True, False, False, True, True, False, True]
    # One sender per dialogue, its turns in order.
    senders = [sender for sender, _ in conversation]
    assert len(set(senders)) == len(DIALOGUES)
    assert [m for s, m in conversation if s == senders[-1]] == ["符合吗", "问问"]
    summary = summarise_dialogues(outcomes)
    assert summary["false_eligible"] == 1 and summary["false_eligible_ids"] == ["b"]
    assert summary["dialogues"] == 6 and summary["near_copies_left_out"] == 1
    assert summary["verdict_accuracy"] == round(3 / 6, 4)
    assert summary["by_kind"]["beneficiary"] == {"dialogues": 1, "right": 0, "rate": 0.0}
    assert summary["by_measure"]["10"]["dialogues"] == 4
    assert summary["confusion"]["not_eligible"]["eligible"] == 1


@pytest.mark.parametrize(
    "entry, problem",
    [
        ({"id": "x", "measure": 10, "kind": "shouting", "turns": ["…"], "expect": "eligible"}, "kind"),
        ({"id": "x", "measure": 10, "kind": "single", "turns": ["…"], "expect": "maybe"}, "expect"),
        ({"id": "x", "measure": 23, "kind": "single", "turns": ["…"], "expect": "none"}, "measure"),
        ({"id": "x", "measure": 10, "kind": "single", "turns": [], "expect": "none"}, "turns"),
    ],
)
def test_a_malformed_dialogue_is_an_error_naming_it(tmp_path: Path, entry, problem) -> None:
    path = tmp_path / "d.yml"
    path.write_text(yaml.safe_dump({"dialogues": [entry]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        load_dialogues(path)
