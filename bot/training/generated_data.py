"""NLU training data generated from the knowledge base vocabulary at training time.

Lookup tables (one per measure: its programme names and aliases and the terms the document
quotes; one per value of every eligibility fact, from knowledge/data/facts.yaml) are written to
var/nlu/ (gitignored) and passed to ``rasa train`` / ``rasa data validate`` next to data/.
The words are kept once, in knowledge/data; nobody edits the generated file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

from bot.paths import DATA_DIR, VAR_DIR
from knowledge.source_data import read_all
from knowledge.vocabulary import clean_terms, measure_terms

GENERATED_NLU_DIR = VAR_DIR / "nlu"
LOOKUP_FILE = "lookups.yml"


def measure_lookups() -> Dict[str, List[str]]:
    """lookup name → terms, one table per measure that names programmes or quotes terms."""
    tables: Dict[str, List[str]] = {}
    for document in read_all():
        for measure in document.measures:
            terms = measure_terms(measure)
            if terms:
                tables[f"measure_{measure['key']}_terms"] = terms
    return tables


def fact_lookups() -> Dict[str, List[str]]:
    """lookup name → keywords, one table per value of every category fact in knowledge.facts."""
    from knowledge.facts import fact_definitions

    tables: Dict[str, List[str]] = {}
    for name, definition in fact_definitions().items():
        for keyword, value in definition.keywords:
            tables.setdefault(f"fact_{name}_{str(value).lower()}", []).append(keyword)
        if definition.cues:
            tables[f"fact_{name}_cue"] = list(definition.cues)
    cleaned = {name: clean_terms(words) for name, words in tables.items()}
    return {name: words for name, words in cleaned.items() if words}


def render(tables: Dict[str, List[str]]) -> str:
    lines = ["# GENERATED from knowledge/data by bot/training/generated_data.py at training time. Do not edit.",
             'version: "3.1"', "nlu:"]  # fmt: skip
    for name, terms in tables.items():
        lines += [f"  - lookup: {name}", "    examples: |"] + [f"      - {term}" for term in terms]
    return "\n".join(lines) + "\n"


def write_generated_training_data(folder: Path = GENERATED_NLU_DIR) -> Path:
    """Write only when the content changed, so the training fingerprint stays stable."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOOKUP_FILE
    content = render({**measure_lookups(), **fact_lookups()})
    if not path.exists() or path.read_text(encoding="utf-8") != content:
        path.write_text(content, encoding="utf-8")
    return folder


def training_data_paths() -> List[Path]:
    """What ``rasa train`` and ``rasa data validate`` read: data/ and the generated folder."""
    return [DATA_DIR, write_generated_training_data()]
