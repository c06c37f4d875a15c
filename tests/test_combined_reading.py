"""actions/combined_reading.py: which measure an unsure question is answered with (no model needed)."""

from __future__ import annotations

from actions.combined_reading import ANSWER_AT, SEARCH_WEIGHT, combined_measure, combined_scores, confidence_in
from knowledge.search import Hit


def hit(key: str, score: float) -> Hit:
    return Hit(number=0, key=key, title=key, score=score)


def ranking(*pairs):
    return [{"name": "nlu_fallback", "confidence": 0.6}] + [{"name": n, "confidence": c} for n, c in pairs]


def test_classifier_and_search_agreeing_on_the_best_measure_answer_it_however_unsure() -> None:
    assert combined_measure(ranking(("measure_a", 0.2), ("out_of_scope", 0.19)), [hit("a", 9.0)]) == "a"


def test_a_measure_second_for_the_classifier_but_first_for_the_search_can_win() -> None:
    # b: 0.3 + the search's top vote 0.25 = 0.55 ≥ 0.5, beats a (0.35 + 0.25 * 3/9) and faq (0.1).
    scores = combined_scores(
        ranking(("measure_a", 0.35), ("measure_b", 0.3), ("faq", 0.1)), [hit("b", 9.0), hit("a", 3.0)]
    )
    assert scores["b"] == 0.3 + SEARCH_WEIGHT
    assert (
        combined_measure(ranking(("measure_a", 0.35), ("measure_b", 0.3), ("faq", 0.1)), [hit("b", 9.0), hit("a", 3.0)])
        == "b"
    )


def test_too_little_together_is_no_answer() -> None:
    assert 0.2 + SEARCH_WEIGHT < ANSWER_AT
    assert combined_measure(ranking(("measure_a", 0.3), ("measure_b", 0.2), ("faq", 0.1)), [hit("b", 9.0)]) is None


def test_a_question_the_classifier_leans_to_call_out_of_scope_is_not_answered() -> None:
    question = ranking(("out_of_scope", 0.45), ("measure_a", 0.3), ("measure_b", 0.1))
    assert combined_measure(question, [hit("a", 2.0)]) == "a"  # 0.3 + 0.25 = 0.55 beats out_of_scope 0.45
    question = ranking(("out_of_scope", 0.58), ("measure_a", 0.3))
    assert combined_measure(question, [hit("a", 2.0)]) is None  # 0.55 < 0.58
    question = ranking(("measure_b", 0.31), ("out_of_scope", 0.30))
    assert combined_measure(question, [hit("a", 2.0)]) is None


def test_nothing_to_combine_is_no_answer() -> None:
    assert combined_measure(ranking(("measure_a", 0.55)), []) is None
    assert combined_measure([], [hit("a", 1.0)]) is None
    assert combined_measure(ranking(), [hit("a", 1.0)]) is None


def test_confidence_in_a_measure() -> None:
    assert confidence_in(ranking(("measure_a", 0.35), ("measure_b", 0.3)), "b") == 0.3
    assert confidence_in(ranking(("measure_a", 0.35)), "c") == 0.0
