"""The answer ratings in the tracker store and what the review inbox resolved, for ``make report``.

Ratings are the ``agent`` events bot/channels/feedback_store.py appends; each is matched to its
answer (by its answer_ref, bot/channels/feedback.py) to know which measure it rated. The latest
rating of an answer counts. Decisions come from reviews/decisions.jsonl (bot/training/review_data.py).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple

from sqlalchemy import create_engine, inspect, text

from bot.channels.feedback import REASONS, USEFUL, answers


@dataclass
class RatedAnswer:
    sender_id: str
    channel: str
    question: str
    answer: str
    citations: List[int]
    rating: str
    reason: str | None
    comment: str | None


def read_ratings(url: str) -> List[RatedAnswer]:
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        return []
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        if not inspect(connection).has_table("events"):
            return []
        senders = connection.execute(text("SELECT DISTINCT sender_id FROM events WHERE type_name = 'agent'")).all()
        rated: List[RatedAnswer] = []
        for (sender_id,) in senders:
            rows = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender_id}
            ).all()
            events = [json.loads(raw or "{}") for (raw,) in rows]
            for answer in answers(events):
                feedback = answer.feedback
                if not feedback:
                    continue
                rated.append(
                    RatedAnswer(
                        sender_id=sender_id, channel=str(feedback.get("channel") or "unknown"),
                        question=str((answer.question or {}).get("text") or ""), answer="\n".join(answer.texts),
                        citations=[int(n) for n in answer.card.get("citations") or []],
                        rating=str(feedback.get("rating")), reason=feedback.get("reason"),
                        comment=feedback.get("comment"),
                    )
                )  # fmt: skip
    engine.dispose()
    return rated


def by_measure_and_channel(rated: List[RatedAnswer]) -> List[Tuple[str, str, int, int]]:
    """(measure, channel, 有用, 没用), most 没用 first."""
    counts: Dict[Tuple[str, str], Counter] = defaultdict(Counter)
    for item in rated:
        measure = "、".join(f"第{n}条" for n in item.citations) or "（无引用）"
        counts[(measure, item.channel)][item.rating] += 1
    rows = [(m, c, n[USEFUL], sum(n.values()) - n[USEFUL]) for (m, c), n in counts.items()]
    return sorted(rows, key=lambda row: (-row[3], row[0], row[1]))


def worst_rated(rated: List[RatedAnswer], limit: int = 20) -> List[Dict[str, Any]]:
    """Answers (same text) with the most 没用, with the reasons and comments users gave."""
    grouped: Dict[str, Dict[str, Any]] = {}
    for item in rated:
        entry = grouped.setdefault(item.answer, {"answer": item.answer, "citations": item.citations, "useful": 0,
                                                 "not_useful": 0, "reasons": Counter(), "comments": [],
                                                 "questions": Counter()})  # fmt: skip
        if item.rating == USEFUL:
            entry["useful"] += 1
            continue
        entry["not_useful"] += 1
        entry["questions"][item.question] += 1
        if item.reason:
            entry["reasons"][REASONS.get(item.reason, item.reason)] += 1
        if item.comment:
            entry["comments"].append(item.comment)
    worst = [e for e in grouped.values() if e["not_useful"]]
    return sorted(worst, key=lambda e: (-e["not_useful"], e["useful"]))[:limit]


def read_decisions(path: Path) -> List[Dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
