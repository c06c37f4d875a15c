"""The NLU training data, the generated vocabulary data and the held-out set (no model needed)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from bot.nlu.normaliser import normalise_message_text
from bot.training.generated_data import measure_lookups, render, training_data_paths
from knowledge.source_data import read_all
from tools.evaluate import BLIND_SETS as BLIND_SET_NAMES
from tools.evaluate import SETS

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_NLU = PROJECT_DIR / "data" / "nlu"
HELDOUT = SETS["heldout"]
# The later held-out sets, each written blind to the training data and to the sets before it
# (see their headers), oldest first.
BLIND_SETS = [SETS[name] for name in BLIND_SET_NAMES]
MIN_EXAMPLES_PER_MEASURE = 20
BLIND_QUESTIONS_PER_MEASURE = 6
NEAR_COPY = 0.85  # bigram Jaccard overlap at or above which a question counts as a near copy


def training_examples() -> Dict[str, List[str]]:
    examples: Dict[str, List[str]] = {}
    for path in sorted(DATA_NLU.rglob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                lines = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
                examples.setdefault(block["intent"], []).extend(lines)
    return examples


def measure_keys() -> List[str]:
    return [measure["key"] for document in read_all() for measure in document.measures]


def heldout(path: Path = HELDOUT) -> List[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def test_every_measure_has_an_intent_with_enough_examples() -> None:
    examples = training_examples()
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text(encoding="utf-8"))
    keys = measure_keys()
    assert len(keys) == 22
    for key in keys:
        intent = f"measure_{key}"
        assert intent in domain["intents"], intent
        assert len(examples.get(intent, [])) >= MIN_EXAMPLES_PER_MEASURE, intent


def test_no_example_is_in_two_intents() -> None:
    owners: Dict[str, set] = {}
    for intent, lines in training_examples().items():
        for line in lines:
            owners.setdefault(normalise_message_text(line), set()).add(intent)
    clashes = {text: intents for text, intents in owners.items() if len(intents) > 1}
    assert not clashes


def test_heldout_set_is_large_covers_everything_and_has_paraphrases() -> None:
    questions = heldout()
    assert len(questions) >= 150
    covered = {q["expect"][0] for q in questions if q["expect"]}
    assert covered == set(range(1, 23))
    styles = Counter(q["style"] for q in questions)
    assert styles["oos"] >= 20
    assert styles["paraphrase"] >= len(questions) / 3


def _bigrams(text: str) -> set:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def test_heldout_questions_are_not_in_the_training_data() -> None:
    """The quality gate is honest only if no held-out question (or a near copy) was trained on.
    Names the training line and the question's position, not its text: whoever writes training
    data must not read the held-out questions."""
    trained = training_lines()
    copies = [
        f"question #{number} ≈ {trained[index][1]!r}"
        for number, question in enumerate(heldout(), start=1)
        for index in _near_copies(normalise_message_text(question["q"]), [text for text, _ in trained])
    ]
    assert not copies, f"tests/heldout/questions.yml questions (nearly) in data/nlu/: {copies}"


def training_lines() -> List[tuple]:
    """(normalised text, original line) of every training example."""
    return [(normalise_message_text(line), line) for lines in training_examples().values() for line in lines]


def _near_copies(text: str, corpus: List[str]) -> List[int]:
    """Indexes of the lines of ``corpus`` that ``text`` copies or nearly copies (bigram Jaccard)."""
    if len(text) < 6:
        return [index for index, line in enumerate(corpus) if line == text]
    grams = _bigrams(text)
    return [
        index
        for index, line in enumerate(corpus)
        if line == text or (len(line) >= 6 and len(grams & _bigrams(line)) / len(grams | _bigrams(line)) >= NEAR_COPY)
    ]


@pytest.mark.parametrize("path", BLIND_SETS, ids=lambda path: path.name)
def test_blind_set_is_large_covers_every_measure_evenly_and_is_mostly_paraphrases(path: Path) -> None:
    questions = heldout(path)
    assert len(questions) >= 160
    assert all(q["style"] in ("direct", "paraphrase", "oos") for q in questions)
    # A measure question names exactly one measure; an out-of-scope question names none.
    assert all((q["style"] == "oos") == (q["expect"] == []) for q in questions)
    assert all(len(q["expect"]) <= 1 for q in questions)
    per_measure = Counter(q["expect"][0] for q in questions if q["expect"])
    assert per_measure == {number: BLIND_QUESTIONS_PER_MEASURE for number in range(1, 23)}
    styles = Counter(q["style"] for q in questions)
    assert styles["paraphrase"] >= sum(per_measure.values()) / 2
    assert styles["direct"] >= sum(per_measure.values()) / 4
    assert styles["oos"] >= 30
    texts = [normalise_message_text(q["q"]) for q in questions]
    assert len(set(texts)) == len(texts), f"a question is in {path.name} twice"


@pytest.mark.parametrize("path", BLIND_SETS, ids=lambda path: path.name)
def test_blind_questions_are_not_in_the_training_data(path: Path) -> None:
    """A blind set was written without reading data/nlu/; keep it that way. Names the training line
    and the question's position, so neither writer reads the other's text."""
    trained = training_lines()
    copies = [
        f"question #{number} ≈ {trained[index][1]!r}"
        for number, question in enumerate(heldout(path), start=1)
        for index in _near_copies(normalise_message_text(question["q"]), [text for text, _ in trained])
    ]
    assert not copies, f"{path.name} questions (nearly) in data/nlu/: {copies}"


@pytest.mark.parametrize("path", BLIND_SETS, ids=lambda path: path.name)
def test_blind_questions_are_not_in_an_earlier_set(path: Path) -> None:
    """Two sets with shared questions would not be two measurements. Names only this set's question."""
    earlier = [HELDOUT, *BLIND_SETS[: BLIND_SETS.index(path)]]
    others = [normalise_message_text(q["q"]) for other in earlier for q in heldout(other)]
    copies = [q["q"] for q in heldout(path) if _near_copies(normalise_message_text(q["q"]), others)]
    assert not copies, f"{path.name} questions (nearly) in an earlier held-out set: {copies}"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("徽商服務卡有什麼用", "徽商服务卡有什么用"),
        ("徽商 服务卡 谁能办", "徽商服务卡谁能办"),
        ("ＡＩ客服", "AI客服"),
        ("贷款五百万", "贷款5000000"),
        ("tell  me a joke", "tell me a joke"),
        ("你是 AI 吗", "你是AI吗"),
    ],
)
def test_normaliser_spelling(raw: str, expected: str) -> None:
    assert normalise_message_text(raw) == expected


def test_lookup_tables_come_from_the_knowledge_base() -> None:
    tables = measure_lookups()
    assert "徽商服务卡" in tables["measure_huishang_service_card_terms"]
    assert "皖企服务云" in tables["measure_wanqi_service_cloud_terms"]
    rendered = yaml.safe_load(render(tables))
    assert {block["lookup"] for block in rendered["nlu"]} == set(tables)
    assert all(path.exists() for path in training_data_paths())


def test_rasa_data_validate_is_clean() -> None:
    paths = [str(path) for path in training_data_paths()]
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings", "--data", *paths],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
