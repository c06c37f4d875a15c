"""The knowledge base without Rasa: the data matches the source, loading is idempotent."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from knowledge import loader
from knowledge.answers import answer_measure
from knowledge.db import session_scope
from knowledge.models import Alias, Measure
from knowledge.paths import POLICIES_DIR
from knowledge.repository import get_measure
from knowledge.source_data import read_all

# The source document as published (a verbatim copy of shared/policy/ kept beside the data).
SOURCE = POLICIES_DIR / "wanjingxin_2021" / "source.txt"


def source_measures() -> dict:
    """Measure number → text, read straight from the source document."""
    text = SOURCE.read_text(encoding="utf-8")
    return {int(n): body.strip() for n, body in re.findall(r"^\s*(\d{1,2})\.(.+)$", text, flags=re.M)}


def test_all_22_measures_match_the_source_text_exactly() -> None:
    expected = source_measures()
    assert sorted(expected) == list(range(1, 23))
    (document,) = list(read_all())
    got = {m["number"]: m["text"] for m in document.measures}
    assert got == expected


def test_loading_twice_keeps_one_copy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    first = loader.load(url)
    second = loader.load(url)
    assert first == second
    with session_scope(url) as session:
        assert session.scalar(select(func.count(Measure.id))) == 22
        assert session.scalar(select(func.count(Alias.id))) == first.aliases


def test_card_answer_cites_its_measure(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    loader.load(url)
    with session_scope(url) as session:
        answer = answer_measure(get_measure(session, "huishang_service_card"), "what")
    assert "第13条" in answer.text
    assert answer.card.citations == [13]
    assert answer.card.to_dict()["source"]["date"] == "2021-06-30"
