"""Which measure an unsure question is about, read by the classifier and the search together.

When the intent classifier is below its confidence threshold, two independent readers of the
question remain: its ranking of intents and knowledge.search (BM25 over the measure texts). Each
measure gets the classifier's confidence in it plus a share of the search's vote: the top hit adds
SEARCH_WEIGHT, the next hits in proportion to their score. The best measure is answered when
- the classifier's best intent is a measure and it is also the top search hit (the two agree), or
- its combined score reaches ANSWER_AT and beats every other intent the classifier considered
  (out_of_scope, faq, greet …): a question the classifier leans to call out of scope stays
  unanswered whatever the search finds.
Otherwise nothing is answered and the fallback offers the search hits as suggestions.

The two numbers were chosen on the first two held-out sets (tests/heldout/questions.yml,
fresh_questions.yml; docs/nlu-quality.md) and checked once on the third.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Sequence

from actions.messages import measure_key_of_intent
from knowledge.search import Hit

SEARCH_WEIGHT = 0.25
ANSWER_AT = 0.5
FALLBACK_INTENT = "nlu_fallback"


def combined_scores(ranking: Iterable[Dict[str, Any]], hits: Sequence[Hit]) -> Dict[str, float]:
    """Measure key → classifier confidence + search share."""
    scores: Dict[str, float] = {}
    for item in ranking:
        key = measure_key_of_intent(item.get("name"))
        if key:
            scores[key] = scores.get(key, 0.0) + float(item.get("confidence") or 0.0)
    top = hits[0].score if hits else 0.0
    for hit in hits:
        if top > 0:
            scores[hit.key] = scores.get(hit.key, 0.0) + SEARCH_WEIGHT * hit.score / top
    return scores


def combined_measure(ranking: List[Dict[str, Any]], hits: Sequence[Hit]) -> str | None:
    """The measure key to answer for an unsure question, or None (see the module docstring).
    ``ranking``: the classifier's intent ranking (nlu_fallback, if present, is ignored)."""
    ranking = [item for item in ranking if item.get("name") != FALLBACK_INTENT]
    if not ranking or not hits:
        return None
    best = measure_key_of_intent(ranking[0].get("name"))
    if best and hits[0].key == best:
        return best
    scores = combined_scores(ranking, hits)
    key = max(scores, key=scores.get)
    others = max(
        (float(item.get("confidence") or 0.0) for item in ranking if not measure_key_of_intent(item.get("name"))),
        default=0.0,
    )
    return key if scores[key] >= ANSWER_AT and scores[key] > others else None


def confidence_in(ranking: Iterable[Dict[str, Any]], key: str) -> float:
    """The classifier's confidence in the measure ``key`` (0 when it is not in the ranking)."""
    return next(
        (float(item.get("confidence") or 0.0) for item in ranking if measure_key_of_intent(item.get("name")) == key),
        0.0,
    )
