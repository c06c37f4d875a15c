"""What an unsure question is about, read by the classifier and the search together.

When the intent classifier is below its confidence threshold, two independent readers of the
question remain: its ranking of intents and knowledge.search (BM25 over the measure texts).

- Answer: only when they agree, i.e. the classifier's best intent is a measure that is also the
  top search hit (``agreed_measure``).
- Suggest ("您是想问…" buttons): the measures ranked by classifier confidence (from
  SUGGEST_FLOOR up) plus a share of the search's vote: the top hit adds SEARCH_WEIGHT, the next
  hits in proportion to their score (``suggested_measures``). On the four held-out sets
  (docs/nlu-quality.md) the right measure was among three such buttons for 15 of the 16 unsure
  measure questions, among the search's three best hits alone for 11.

Answering on the combined score as well (≥ 0.5 and above every other intent) was tried: on the
four held-out sets it answered 3 more questions right and 6 more wrong, so a combined score
only orders suggestions; a wrong measure misleads more than a choice of three.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Sequence

from actions.messages import measure_key_of_intent
from knowledge.search import Hit

SEARCH_WEIGHT = 0.25
SUGGEST_FLOOR = 0.1
FALLBACK_INTENT = "nlu_fallback"


def _classified(ranking: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [item for item in ranking if item.get("name") != FALLBACK_INTENT]


def agreed_measure(ranking: Iterable[Dict[str, Any]], hits: Sequence[Hit]) -> str | None:
    """The measure key when the classifier's best intent (nlu_fallback aside) is that measure and
    the top search hit is too; else None."""
    classified = _classified(ranking)
    best = measure_key_of_intent(classified[0].get("name")) if classified else None
    return best if best and hits and hits[0].key == best else None


def suggested_measures(ranking: Iterable[Dict[str, Any]], hits: Sequence[Hit], count: int) -> List[str]:
    """Up to ``count`` measure keys, best first, by classifier confidence + search share."""
    scores: Dict[str, float] = {}
    for item in _classified(ranking):
        key = measure_key_of_intent(item.get("name"))
        confidence = float(item.get("confidence") or 0.0)
        if key and confidence >= SUGGEST_FLOOR:
            scores[key] = scores.get(key, 0.0) + confidence
    top = hits[0].score if hits else 0.0
    for hit in hits:
        if top > 0:
            scores[hit.key] = scores.get(hit.key, 0.0) + SEARCH_WEIGHT * hit.score / top
    return sorted(scores, key=lambda key: -scores[key])[:count]


def confidence_in(ranking: Iterable[Dict[str, Any]], key: str) -> float:
    """The classifier's confidence in the measure ``key`` (0 when it is not in the ranking)."""
    return next(
        (float(item.get("confidence") or 0.0) for item in ranking if measure_key_of_intent(item.get("name")) == key),
        0.0,
    )
