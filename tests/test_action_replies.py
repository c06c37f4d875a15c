"""What the actions reply to a classified message, run directly with rasa_sdk trackers (no model)."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.eligibility import ActionEligibilityVerdict
from actions.faq_answer import ActionAnswerFaq
from actions.measure_answer import ActionAnswerMeasure
from actions.policy_matching import ActionMatchPolicies


def tracker(text: str, intent: str, slots: Dict[str, Any] | None = None, faq: str | None = None) -> Tracker:
    message: Dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": intent, "confidence": 0.9}],
        "entities": [],
    }
    if faq:
        message["response_selector"] = {"faq": {"response": {"intent_response_key": f"faq/{faq}", "confidence": 0.9}}}
    return Tracker("unit", slots or {}, message, [], False, None, {}, "action_listen")


def run(action, text: str, intent: str, **kwargs) -> tuple[Dict[str, Any], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker(text, intent, **kwargs), {}))
    cards = [m["custom"]["answer_card"] for m in dispatcher.messages if "answer_card" in (m.get("custom") or {})]
    assert len(cards) == 1, dispatcher.messages
    return cards[0], events


@pytest.fixture(autouse=True)
def _knowledge(knowledge_db: str) -> None:
    """The actions read the knowledge database."""


def test_a_measure_question_with_content_is_answered() -> None:
    card, _ = run(ActionAnswerMeasure(), "我们厂想换新设备政府给钱吗", "measure_technology_upgrade")
    assert card["kind"] == "policy" and card["citations"] == [6]


@pytest.mark.parametrize("text", ["啊吧啊吧啊吧", "嗯嗯嗯", "？？？"])
def test_a_message_without_a_content_word_is_no_measure_question(text: str) -> None:
    card, events = run(ActionAnswerMeasure(), text, "measure_innovation_incubation")
    assert card["kind"] == "fallback" and card["citations"] == []
    assert not [e for e in events if e.get("name") == "current_measure" and e.get("value")]


def test_without_a_content_word_the_measure_under_discussion_is_meant() -> None:
    card, _ = run(
        ActionAnswerMeasure(),
        "怎么申请呢",
        "measure_innovation_incubation",
        slots={"current_measure": "huishang_service_card"},
    )
    assert card["citations"] == [13]


def test_a_button_payload_is_its_measure() -> None:
    card, _ = run(ActionAnswerMeasure(), "/measure_huishang_service_card", "measure_huishang_service_card")
    assert card["citations"] == [13]


def test_matching_another_provinces_policies_is_out_of_scope() -> None:
    card, _ = run(ActionMatchPolicies(), "河南省对小微企业有哪些扶持政策", "match_policies")
    assert card["kind"] == "out_of_scope" and card["citations"] == []
    card, _ = run(ActionMatchPolicies(), "我们是河南的企业，在安徽办了分厂，能享受哪些政策", "match_policies")
    assert card["kind"] != "out_of_scope"


def test_an_faq_about_another_provinces_policy_is_out_of_scope() -> None:
    from knowledge.faq import load_entries

    key = load_entries()[0].key
    card, _ = run(ActionAnswerFaq(), "湖南的这个政策文件有效期到什么时候", "faq", faq=key)
    assert card["kind"] == "out_of_scope" and card["citations"] == []
    card, _ = run(ActionAnswerFaq(), "这个政策文件有效期到什么时候", "faq", faq=key)
    assert card["kind"] != "out_of_scope"


def test_an_eligibility_check_of_another_provinces_programme_is_out_of_scope_without_a_form() -> None:
    card, events = run(ActionEligibilityVerdict(), "江苏的担保费补贴我们公司能拿吗", "check_guarantee_fee_subsidy")
    assert card["kind"] == "out_of_scope" and card["citations"] == []
    assert {"event": "slot", "name": "eligibility_status", "value": "decided", "timestamp": None} in events
    # The same check about Anhui: no reply yet, the form asks for the facts.
    dispatcher = CollectingDispatcher()
    question = tracker("我们公司能拿担保费补贴吗", "check_guarantee_fee_subsidy")
    events = asyncio.run(ActionEligibilityVerdict().run(dispatcher, question, {}))
    assert dispatcher.messages == []
    assert {
        "event": "slot",
        "name": "eligibility_status",
        "value": "ask_guarantee_fee_subsidy",
        "timestamp": None,
    } in events
