"""Which held-out questions copy, or nearly copy, a training example or a question of an earlier set.

Texts are compared after the project's normalisation (traditional → simplified, full-width →
half-width, Chinese numerals → digits) with every punctuation mark and space removed, so
“零土地”技改…？ and 零土地技改… are the same question. Two texts are near copies when the Jaccard
overlap of their character bigrams is at least NEAR_COPY (short texts, under MIN_LENGTH characters,
only when equal).

Used by tests/test_nlu_data.py (no held-out question in any training file, data/**/*.yml with
data/faq.yml; no new near copy between blind sets) and by tools/evaluate.py, which leaves the
near copies listed in tests/heldout/duplicates.yml out of its headline numbers: a question that
copies an earlier set's is not a second measurement.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import yaml

from knowledge.textnorm import normalise

NEAR_COPY = 0.85
MIN_LENGTH = 6
_NOT_A_WORD_CHARACTER = re.compile(r"[\W_]+", re.UNICODE)


@cache
def comparable(text: str) -> str:
    return _NOT_A_WORD_CHARACTER.sub("", normalise(text)).lower()


def _bigrams(text: str) -> frozenset:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


class NearCopyIndex:
    """Texts indexed by their bigrams, so each lookup compares only texts sharing enough of them."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = [comparable(text) for text in texts]
        self._grams = [_bigrams(text) for text in self.texts]
        self._exact: Dict[str, List[int]] = defaultdict(list)
        self._by_gram: Dict[str, List[int]] = defaultdict(list)
        for index, (text, grams) in enumerate(zip(self.texts, self._grams, strict=True)):
            self._exact[text].append(index)
            if len(text) >= MIN_LENGTH:
                for gram in grams:
                    self._by_gram[gram].append(index)

    def copies_of(self, text: str) -> List[Tuple[int, float]]:
        """(index, overlap) of the indexed texts that ``text`` copies or nearly copies, best first."""
        text = comparable(text)
        found = {index: 1.0 for index in self._exact.get(text, [])}
        if len(text) >= MIN_LENGTH:
            grams = _bigrams(text)
            shared: Dict[int, int] = defaultdict(int)
            for gram in grams:
                for index in self._by_gram.get(gram, ()):
                    shared[index] += 1
            for index, count in shared.items():
                overlap = count / len(grams | self._grams[index])
                if overlap >= NEAR_COPY and index not in found:
                    found[index] = overlap
        return sorted(found.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True)
class CrossSetCopy:
    """Question ``number`` (1-based) of ``set_name`` nearly copies question ``of_number`` of the earlier ``of_set``."""

    set_name: str
    number: int
    of_set: str
    of_number: int
    overlap: float

    @property
    def key(self) -> Tuple[str, int]:
        return (self.set_name, self.number)


def cross_set_copies(sets: Dict[str, List[str]]) -> List[CrossSetCopy]:
    """Every question of a set (in the order given, oldest first) that nearly copies a question of
    an earlier set, with the earlier question it is closest to."""
    found: List[CrossSetCopy] = []
    names = list(sets)
    owners: List[Tuple[str, int]] = []
    texts: List[str] = []
    for position, name in enumerate(names):
        if position:
            index = NearCopyIndex(texts)
            for number, question in enumerate(sets[name], start=1):
                copies = index.copies_of(question)
                if copies:
                    best, overlap = copies[0]
                    found.append(CrossSetCopy(name, number, *owners[best], round(overlap, 2)))
        owners += [(name, number) for number in range(1, len(sets[name]) + 1)]
        texts += sets[name]
    return found


def training_examples(data_dir: Path) -> List[Tuple[str, str]]:
    """(file, example) of every intent example of every training file under ``data_dir``
    (data/nlu/**, data/faq.yml, and any other data/**/*.yml with an nlu: section)."""
    examples = []
    for path in sorted(data_dir.rglob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in content.get("nlu") or []:
            if "intent" in block:
                for line in str(block.get("examples") or "").splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        examples.append((str(path.relative_to(data_dir.parent)), _strip_annotations(line[2:])))
    return examples


_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def _strip_annotations(text: str) -> str:
    """ "[徽商服务卡](measure)" → "徽商服务卡": the text a user would type."""
    return _ANNOTATION.sub(lambda match: match.group(1) or match.group(2) or "", text).strip()


def copies_in_training(questions: Iterable[str], examples: List[Tuple[str, str]]) -> List[Tuple[int, str, str]]:
    """(question number, training file, training example) for every question copying an example."""
    index = NearCopyIndex([text for _, text in examples])
    return [
        (number, examples[best][0], examples[best][1])
        for number, question in enumerate(questions, start=1)
        for best, _ in index.copies_of(question)[:1]
    ]


def load_listed(path: Path) -> List[CrossSetCopy]:
    """The near copies recorded in tests/heldout/duplicates.yml: of an earlier set's question
    (``duplicates``) or of a training example (``in_training``, of_set "training", of_number 0)."""
    if not path.exists():
        return []
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    listed = []
    for entry in content.get("duplicates") or []:
        of_set, of_number = str(entry["copies"]).split("#")
        listed.append(CrossSetCopy(entry["set"], int(entry["number"]), of_set, int(of_number), float(entry["overlap"])))
    for entry in content.get("in_training") or []:
        listed.append(CrossSetCopy(entry["set"], int(entry["number"]), TRAINING, 0, 1.0))
    return listed


TRAINING = "training"


@dataclass(frozen=True)
class DialogueCopy:
    """Turn ``turn`` (1-based) of dialogue ``id`` of dialogue set ``set_name`` copies an example of ``file``."""

    set_name: str
    id: str
    turn: int
    file: str


def dialogue_copies_in_training(
    set_name: str, dialogues: Iterable, examples: List[Tuple[str, str]]
) -> List[DialogueCopy]:
    """Turns of MIN_LENGTH characters or more (punctuation aside: "是的" and "1.0%" are everyday
    answers, not copies) that copy or nearly copy a training example."""
    index = NearCopyIndex([text for _, text in examples])
    found = []
    for dialogue in dialogues:
        for number, turn in enumerate(dialogue.turns, start=1):
            if len(comparable(turn)) >= MIN_LENGTH:
                for best, _ in index.copies_of(turn)[:1]:
                    found.append(DialogueCopy(set_name, dialogue.id, number, examples[best][0]))
    return found


def load_listed_dialogues(path: Path) -> List[DialogueCopy]:
    """The dialogue turns recorded in tests/heldout/duplicates.yml (``dialogues_in_training``)."""
    if not path.exists():
        return []
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        DialogueCopy(e["set"], str(e["id"]), int(e["turn"]), e["file"])
        for e in content.get("dialogues_in_training") or []
    ]


def render_listing(copies: List[CrossSetCopy], in_training: List[Tuple[str, int, str]]) -> str:
    """The YAML entries for tests/heldout/duplicates.yml (`python -m tools.evaluate --list-copies`)."""
    lines = ["duplicates:"]
    lines += [
        f'  - {{set: {c.set_name}, number: {c.number}, copies: "{c.of_set}#{c.of_number}", overlap: {c.overlap}}}'
        for c in copies
    ]
    lines.append("in_training:")
    lines += [f"  - {{set: {name}, number: {number}, file: {file}}}" for name, number, file in in_training]
    return "\n".join(lines) + "\n"


def find_all(sets: Dict[str, List[str]], data_dir: Path) -> Tuple[List[CrossSetCopy], List[Tuple[str, int, str]]]:
    """Every near copy between the sets (oldest first) and of a training example under ``data_dir``."""
    examples = training_examples(data_dir)
    in_training = [
        (name, number, file)
        for name, questions in sets.items()
        for number, file, _ in copies_in_training(questions, examples)
    ]
    return cross_set_copies(sets), in_training
