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
