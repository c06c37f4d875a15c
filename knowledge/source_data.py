"""Reading the policy YAML files (knowledge/data/policies/<document>/) into plain dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping

import yaml

from knowledge.paths import POLICIES_DIR

# Fields of a measure file that are stored as their own columns; every other field goes to
# Measure.details.
MEASURE_COLUMNS = ("number", "key", "section", "title", "text", "summary", "how_to_apply", "kind")
REQUIRED_MEASURE_FIELDS = ("number", "key", "section", "title", "text")


class PolicyDataError(ValueError):
    """A policy YAML file is malformed; the message names the file and the field."""


@dataclass
class DocumentData:
    folder: Path
    document: Dict[str, Any]
    measures: List[Dict[str, Any]] = field(default_factory=list)


def _read_yaml(path: Path) -> Dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise PolicyDataError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise PolicyDataError(f"{path}: expected a mapping at the top level")
    return data


def read_document(folder: Path) -> DocumentData:
    document = _read_yaml(folder / "document.yaml")
    measures = []
    for path in sorted((folder / "measures").glob("*.yaml")):
        measure = _read_yaml(path)
        missing = [name for name in REQUIRED_MEASURE_FIELDS if not measure.get(name)]
        if missing:
            raise PolicyDataError(f"{path}: missing {', '.join(missing)}")
        measures.append(measure)
    numbers = [m["number"] for m in measures]
    if len(set(numbers)) != len(numbers):
        raise PolicyDataError(f"{folder}: two measure files share a number")
    return DocumentData(folder=folder, document=document, measures=measures)


def read_document_meta(folder: Path) -> Dict[str, Any]:
    """The document's own fields (document.yaml), without reading its measures."""
    return _read_yaml(folder / "document.yaml")


def document_folders(policies_dir: Path = POLICIES_DIR) -> List[Path]:
    """The policy documents' folders (those with a document.yaml), in name order."""
    return sorted(p for p in policies_dir.iterdir() if (p / "document.yaml").exists())


def read_all(policies_dir: Path = POLICIES_DIR) -> Iterator[DocumentData]:
    for folder in document_folders(policies_dir):
        yield read_document(folder)


def alias_pairs(measure: Mapping[str, Any]) -> Iterator[tuple]:
    """(term, canonical) for every name of every programme the measure names."""
    for programme in measure.get("programmes") or []:
        name = programme["name"]
        yield name, name
        for alias in programme.get("aliases") or []:
            yield alias, name
