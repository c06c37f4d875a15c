"""English questions (no model): a plain English question about a measure gets the cited measure
with an English line saying what it cites; anything else in English a reply in English, never
suggestion buttons. The actions are run on whatever intent the classifier might have guessed."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback_answer import ActionAnswerFallback
from actions.measure_answer import ActionAnswerMeasure
from actions.out_of_scope import ActionAnswerOutOfScope
from knowledge.english import english_measure, is_english


def run(action, text: str, intent: str):
    message = {"text": text, "intent": {"name": intent, "confidence": 0.4}, "intent_ranking": [], "entities": []}
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, Tracker("unit", {}, message, [], False, None, {}, "action_listen"), {}))
    cards = [m["custom"]["answer_card"] for m in dispatcher.messages if "answer_card" in (m.get("custom") or {})]
    texts = [m.get("text") or "" for m in dispatcher.messages if m.get("text")]
    buttons = [b for m in dispatcher.messages for b in m.get("buttons") or []]
    return cards[0], texts, buttons


@pytest.fixture(autouse=True)
def _knowledge(knowledge_db: str) -> None:
    """The actions read the knowledge database."""


@pytest.mark.parametrize(
    ("text", "intent", "measure"),
    [
        ("What is the Huishang Service Card?", "out_of_scope", 13),
        ("Can a guarantee company get the guarantee fee subsidy?", "nlu_fallback", 10),
        ("We are a foreign investor, what support is there for investing in Anhui?", "measure_market_expansion", 3),
        ("Is there any subsidy for technological upgrading of our factory?", "nlu_fallback", 6),
        ("Tell me about article 19", "out_of_scope", 19),
    ],
)
def test_an_english_question_about_a_measure_is_answered_with_the_cited_measure(
    text: str, intent: str, measure: int
) -> None:
    action = {"out_of_scope": ActionAnswerOutOfScope, "nlu_fallback": ActionAnswerFallback}.get(
        intent, ActionAnswerMeasure
    )()
    card, texts, buttons = run(action, text, intent)
    assert card["kind"] == "policy" and card["citations"] == [measure]
    assert f"第{measure}条" in texts[0]
    assert texts[-1].startswith(f"This answer cites Article {measure} (第{measure}条)")
    assert not buttons


@pytest.mark.parametrize("text", ["what is the weather today", "can you book me a flight to Beijing", "hello there"])
def test_anything_else_in_english_gets_a_clear_english_reply_not_buttons(text: str) -> None:
    card, texts, buttons = run(ActionAnswerFallback(), text, "nlu_fallback")
    assert card["kind"] == "out_of_scope" and card["citations"] == []
    assert texts[0].startswith("Sorry, this is outside what I can answer") and "12345" in texts[0]
    assert not buttons


def test_mixed_chinese_and_english_stays_with_the_chinese_pipeline() -> None:
    assert not is_english("徽商card能干嘛") and not is_english("/inform{}")
    assert is_english("bank loan for SME") and english_measure("bank loan for SME") == "financing_service_campaign"


def run_turns(action, turns, slots=None):
    """A conversation of (text, intent) turns whose facts the fact extractor read, as a server sends it."""
    from bot.nlu.fact_extractor import fact_entities

    events = []
    for text, intent in turns:
        parse = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.4},
            "intent_ranking": [{"name": intent, "confidence": 0.4}],
            "entities": fact_entities(text),
        }
        events.append({"event": "user", "text": text, "parse_data": parse})
    tracker = Tracker("unit", slots or {}, events[-1]["parse_data"], events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(action.run(dispatcher, tracker, {}))
    cards = [m["custom"]["answer_card"] for m in dispatcher.messages if "answer_card" in (m.get("custom") or {})]
    texts = [m.get("text") or "" for m in dispatcher.messages if m.get("text")]
    return (cards[0] if cards else None), texts, result


def a_followup(events) -> str | None:
    return next((e.get("name") for e in events if e.get("event") == "followup"), None)


ENGLISH_ACTIONS = {
    "out_of_scope": ActionAnswerOutOfScope,
    "nlu_fallback": ActionAnswerFallback,
    "measure_technology_upgrade": ActionAnswerMeasure,
}


@pytest.mark.parametrize("intent", list(ENGLISH_ACTIONS))
@pytest.mark.parametrize(
    "text, measure, verdict",
    [
        (
            "We are a financing guarantee company. The annual guarantee fee rate is 1%, the counter-guarantee is "
            "credit only and the borrower is a provincial specialised and sophisticated SME. Can we get the "
            "guarantee fee subsidy?",
            10,
            "eligible",
        ),
        (
            "Our guarantee company charges 1.8% a year and mainly serves small and micro businesses. "
            "Are we eligible for the fee reduction award?",
            10,
            "not_eligible",
        ),
        ("We are a state-owned enterprise. Can I apply for the Huishang Service Card?", 13, "not_eligible"),
        (
            "I am the legal representative of a private company that was commended by the provincial government. "
            "Do I qualify for the Huishang card?",
            13,
            "eligible",
        ),
        (
            "I'm the general manager of a private firm, not the legal representative, and I have never been "
            "honoured personally. Our company only got a city-level award. Can I get the Huishang card?",
            13,
            "not_eligible",
        ),
        ("We are a guarantee company. Can we get the guarantee fee subsidy?", 10, "need_info"),
        ("Our company is private and the provincial government honoured us. Can I get the Huishang card?", 13, None),
    ],
)
def test_an_english_eligibility_question_gets_its_verdict_with_an_english_line(intent, text, measure, verdict) -> None:
    card, texts, events = run_turns(ENGLISH_ACTIONS[intent](), [(text, intent)])
    if verdict in (None, "need_info") and card is None:
        # A fact is missing: the rule's form asks for it (and its card says need_info).
        assert a_followup(events) and a_followup(events).endswith("_form")
        return
    assert card["kind"] == "eligibility" and card["citations"] == [measure], texts
    assert card["verdict"] == verdict, texts
    assert texts[-1].startswith(("Verdict on Article", f"Article {measure}")), texts


def test_an_english_statement_of_facts_after_the_question_is_used() -> None:
    from actions.eligibility import ActionEligibilityVerdict

    turns = [
        ("Can we get the guarantee fee subsidy?", "nlu_fallback"),
        (
            "We are a financing guarantee company, the borrower is a provincial SRDI company, no collateral, "
            "fee rate 1.5%",
            "inform",
        ),
    ]
    card, texts, _ = run_turns(ActionEligibilityVerdict(), turns, slots={"eligibility_rule": "guarantee_fee_subsidy"})
    assert card["verdict"] == "not_eligible"
    assert "not eligible" in texts[-1] and "annual guarantee fee rate" in texts[-1]


@pytest.mark.parametrize(
    "text, intent",
    [
        ("Can our incubator apply for the incubation support? We are a state-owned enterprise.", "out_of_scope"),
        ("We are a private incubator. Are we eligible for the incubation demonstration base support?", "nlu_fallback"),
    ],
)
def test_an_english_can_we_about_a_measure_without_rules_says_whom_it_is_for(text: str, intent: str) -> None:
    card, texts, _ = run_turns(ENGLISH_ACTIONS[intent](), [(text, intent)])
    assert card["kind"] == "eligibility" and card["citations"] == [1], texts
    assert card["verdict"] in (None, "not_eligible")
    assert card["verdict"] != "eligible"
