"""actions/combined_reading.py: what an unsure question is answered or offered (no model needed)."""

from __future__ import annotations

from actions.combined_reading import SEARCH_WEIGHT, agreed_measure, confidence_in, suggested_measures
from knowledge.search import Hit, titles


def hit(key: str, score: float) -> Hit:
    return Hit(number=0, key=key, title=key, score=score)


def ranking(*pairs):
    return [{"name": "nlu_fallback", "confidence": 0.6}] + [{"name": n, "confidence": c} for n, c in pairs]


def test_classifier_and_search_agreeing_on_the_best_measure_answer_it_however_unsure() -> None:
    assert agreed_measure(ranking(("measure_a", 0.2), ("out_of_scope", 0.19)), [hit("a", 9.0)]) == "a"


def test_no_agreement_no_answer() -> None:
    # The search's top hit is the classifier's second measure: offered, not answered.
    assert agreed_measure(ranking(("measure_a", 0.45), ("measure_b", 0.3)), [hit("b", 9.0), hit("a", 3.0)]) is None
    # The classifier's best is not a measure.
    assert agreed_measure(ranking(("out_of_scope", 0.45), ("measure_a", 0.3)), [hit("a", 9.0)]) is None
    assert agreed_measure(ranking(("measure_a", 0.55)), []) is None
    assert agreed_measure([], [hit("a", 1.0)]) is None


def test_suggestions_rank_measures_by_classifier_confidence_plus_the_search_share() -> None:
    question = ranking(("measure_a", 0.35), ("faq", 0.2), ("measure_b", 0.3), ("measure_c", 0.12))
    hits = [hit("b", 9.0), hit("d", 4.5), hit("a", 0.9)]
    # b 0.3 + 0.25 = 0.55; a 0.35 + 0.025; d 0.125; c 0.12; faq is no measure.
    assert SEARCH_WEIGHT == 0.25
    assert suggested_measures(question, hits, 3) == ["b", "a", "d"]
    assert suggested_measures(question, hits, 5) == ["b", "a", "d", "c"]


def test_a_measure_the_classifier_hardly_considers_is_suggested_only_by_the_search() -> None:
    question = ranking(("out_of_scope", 0.5), ("measure_a", 0.09))
    assert suggested_measures(question, [], 3) == []
    assert suggested_measures(question, [hit("e", 2.0)], 3) == ["e"]


def test_confidence_in_a_measure() -> None:
    assert confidence_in(ranking(("measure_a", 0.35), ("measure_b", 0.3)), "b") == 0.3
    assert confidence_in(ranking(("measure_a", 0.35)), "c") == 0.0


def test_every_measure_has_a_title_for_its_button() -> None:
    names = titles()
    assert len(names) == 22
    assert all(title.strip() for title in names.values())
