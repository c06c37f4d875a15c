"""The FAQ: short factual questions about the policy document, kept in ``data/faq.yaml``.

Reading, checking and answering FAQ entries; no Rasa. ``tools/faq.py`` turns the entries into
Rasa training data (retrieval intent ``faq/<key>``) and adds new ones for maintainers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml

from knowledge.answers import Answer
from knowledge.card import AnswerCard, citation_label
from knowledge.paths import DATA_DIR, POLICIES_DIR
from knowledge.source_data import document_folders, read_all, read_document_meta
from knowledge.spoken import spoken_script
from knowledge.textnorm import normalise

FAQ_FILE = DATA_DIR / "faq.yaml"
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
MIN_QUESTIONS = 3


class FaqError(ValueError):
    """An FAQ entry or file is not acceptable; the message says what to fix."""


@dataclass
class FaqEntry:
    key: str
    questions: List[str]
    answer: str
    citations: List[int] = field(default_factory=list)

    def to_yaml(self) -> Dict[str, Any]:
        return {"key": self.key, "questions": list(self.questions), "answer": self.answer,
                "citations": list(self.citations)}  # fmt: skip


def entry_from_mapping(raw: Any, where: str = "entry") -> FaqEntry:
    if not isinstance(raw, dict):
        raise FaqError(f"{where}: expected a mapping with key, questions, answer, citations")
    unknown = set(raw) - {"key", "questions", "answer", "citations"}
    if unknown:
        raise FaqError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    questions = raw.get("questions")
    citations = raw.get("citations") or []
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        raise FaqError(f"{where}: questions must be a list of strings")
    if not isinstance(citations, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in citations):
        raise FaqError(f"{where}: citations must be a list of measure numbers, e.g. [10, 13]")
    return FaqEntry(
        key=str(raw.get("key") or "").strip(),
        questions=[q.strip() for q in questions],
        answer=str(raw.get("answer") or "").strip(),
        citations=citations,
    )


def load_entries(path: Path = FAQ_FILE) -> List[FaqEntry]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise FaqError(f"{path}: not valid YAML ({error})") from error
    items = raw.get("faqs") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise FaqError(f"{path}: expected a top-level `faqs:` list")
    return [entry_from_mapping(item, f"{path.name} entry {i + 1}") for i, item in enumerate(items)]


def _measure_numbers() -> set:
    return {m["number"] for document in read_all() for m in document.measures}


def problems(entries: List[FaqEntry], other_questions: Dict[str, str] | None = None) -> List[str]:
    """Everything wrong with ``entries``; ``other_questions`` maps normalised training examples
    of other intents to where they are, so an FAQ question cannot duplicate them."""
    found: List[str] = []
    numbers = _measure_numbers()
    seen_keys: set = set()
    seen_questions: Dict[str, str] = {}
    for entry in entries:
        label = f"FAQ {entry.key or '(no key)'}"
        if not KEY_PATTERN.match(entry.key):
            found.append(f"{label}: key must be lowercase letters, digits and _ (e.g. issue_date)")
        if entry.key in seen_keys:
            found.append(f"{label}: the key is already used by another FAQ")
        seen_keys.add(entry.key)
        if not entry.answer:
            found.append(f"{label}: the answer is empty")
        if len([q for q in entry.questions if q]) < MIN_QUESTIONS:
            found.append(f"{label}: give at least {MIN_QUESTIONS} ways to ask the question")
        for number in entry.citations:
            if number not in numbers:
                found.append(f"{label}: there is no measure {number} (the document has 第1条 to 第{max(numbers)}条)")
            elif citation_label(number) not in entry.answer and not _cited_in_range(entry.answer, number):
                found.append(f"{label}: the answer cites {number} but does not name {citation_label(number)}")
        for question in entry.questions:
            norm = normalise(question)
            if not norm:
                found.append(f"{label}: an empty question")
            elif norm in seen_questions:
                found.append(f"{label}: question “{question}” is already a question of FAQ {seen_questions[norm]}")
            elif other_questions and norm in other_questions:
                found.append(f"{label}: question “{question}” is already a training example in {other_questions[norm]}")
            seen_questions.setdefault(norm, entry.key)
    return found


def _cited_in_range(answer: str, number: int) -> bool:
    """第1至4条 names 第2条 too."""
    for low, high in re.findall(r"第(\d+)至(\d+)条", answer):
        if int(low) <= number <= int(high):
            return True
    return False


def _stamp(path: Path) -> tuple:
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _document_meta(stamp: tuple) -> Dict[str, Any]:
    return read_document_meta(Path(stamp[0]).parent)


def first_document_meta(policies_dir: Path = POLICIES_DIR) -> Dict[str, Any]:
    """The first policy document's document.yaml, read again only when that file changes (reading
    every measure file on each FAQ answer took ~0.2 s)."""
    folder = document_folders(policies_dir)[0]
    return _document_meta(_stamp(folder / "document.yaml"))


@lru_cache(maxsize=4)
def _entries(stamp: tuple) -> tuple:
    return tuple(load_entries(Path(stamp[0])))


def answer_faq(entry: FaqEntry, confidence: float | None = None) -> Answer:
    """The FAQ answer as a policy answer: the text names its source (and 第N条 when it cites)."""
    meta = first_document_meta()
    source = {"title": meta["title"], "issuer": meta["issuer"], "date": str(meta["date"])}
    basis = "".join(citation_label(n) for n in entry.citations)
    title = meta.get("short_title") or meta["title"]
    text = f"{entry.answer}\n（依据：{title}{basis}）"
    spoken = spoken_script(text, entry.citations, title)
    card = AnswerCard(
        kind="policy", citations=list(entry.citations), source=source, confidence=confidence, spoken=spoken
    )
    return Answer(text=text, card=card)


def find(key: str, path: Path = FAQ_FILE) -> FaqEntry | None:
    """The entry with ``key``; the file is parsed again only when it changed."""
    return next((entry for entry in _entries(_stamp(path)) if entry.key == key), None)
