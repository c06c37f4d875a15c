"""Validation of the knowledge data (``python -m knowledge check``).

Checks every policy document and its measures against the schema, every measure's text
against the source document, that each alias names one measure only, that the structured
fields state no number the measure's text does not contain (no invented amounts, phone
numbers or URLs), and that eligibility rules, the facts vocabulary and the matching signals
are consistent. Each problem is one message naming the file and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

from knowledge import eligibility, matching, timeliness
from knowledge.facts import fact_definitions
from knowledge.paths import POLICIES_DIR
from knowledge.source_data import DocumentData, PolicyDataError, alias_pairs, document_folders, read_document
from knowledge.textnorm import normalise

KINDS = ("support", "eligibility", "work")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
DOCUMENT_FIELDS = ("key", "title", "short_title", "issuer", "date", "source_file", "sections")
# field → (required, type): "str", "list" (of strings), "targets", "programmes", "faqs", "rules"
MEASURE_SCHEMA: Dict[str, Tuple[bool, str]] = {
    "number": (True, "int"),
    "key": (True, "str"),
    "section": (True, "int"),
    "title": (True, "str"),
    "text": (True, "str"),
    "kind": (True, "str"),
    "summary": (True, "str"),
    "support_forms": (True, "list"),
    "beneficiaries": (True, "list"),
    "benefits": (False, "list"),
    "amounts": (False, "list"),
    "eligibility_rules": (False, "list"),
    "targets": (True, "targets"),
    "programmes": (True, "programmes"),
    "how_to_apply": (True, "str"),
    "contacts": (True, "list"),
    "faqs": (False, "faqs"),
}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CITATION = re.compile(r"第\d+条")
_URL = re.compile(r"https?://|www\.|\.com\b|\.cn\b", re.I)
_SOURCE_MEASURE = re.compile(r"^\s*(\d{1,2})\.(.+)$", re.M)


@dataclass
class Report:
    problems: List[str] = field(default_factory=list)
    documents: int = 0
    measures: int = 0
    aliases: int = 0
    rules: int = 0
    signals: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return (
                f"check: OK — {self.documents} document(s), {self.measures} measures, {self.aliases} aliases, "
                f"{self.rules} eligibility rules, {self.signals} matching signals"
            )
        return f"check: {len(self.problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in self.problems)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def source_measures(path: Path) -> Dict[int, str]:
    """Measure number → text, read from the source document."""
    text = path.read_text(encoding="utf-8")
    return {int(number): body.strip() for number, body in _SOURCE_MEASURE.findall(text)}


def _check_type(where: str, name: str, kind: str, value: Any, problems: List[str]) -> None:
    def bad(expected: str) -> None:
        problems.append(f"{where}: '{name}' should be {expected}, got {value!r:.60}")

    if kind == "int" and not isinstance(value, int):
        bad("a number")
    elif kind == "str" and not (isinstance(value, str) and value.strip()):
        bad("a non-empty text")
    elif kind == "list" and not (isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)):
        bad("a list of texts")
    elif kind == "targets":
        if not isinstance(value, list):
            bad("a list of {text, period}")
            return
        for target in value:
            if not isinstance(target, dict) or not isinstance(target.get("text"), str):
                problems.append(f"{where}: a target needs 'text' and 'period': {target!r:.60}")
            elif str(target.get("period")) not in timeliness.PERIODS:
                problems.append(
                    f"{where}: target period {target.get('period')!r} is not one of {', '.join(timeliness.PERIODS)}"
                )
    elif kind == "programmes":
        if not isinstance(value, list):
            bad("a list of {name, aliases}")
            return
        for programme in value:
            if not isinstance(programme, dict) or not isinstance(programme.get("name"), str):
                problems.append(f"{where}: a programme needs a 'name': {programme!r:.60}")
            elif not isinstance(programme.get("aliases", []), list):
                problems.append(f"{where}: aliases of {programme['name']} should be a list")
    elif kind == "faqs":
        if not isinstance(value, list) or not all(
            isinstance(f, dict) and isinstance(f.get("question"), str) and isinstance(f.get("answer"), str)
            for f in value
        ):
            bad("a list of {question, answer}")


def _check_measure(where: str, measure: Dict[str, Any], sections: set, problems: List[str]) -> None:
    for name, (required, kind) in MEASURE_SCHEMA.items():
        if name not in measure or measure[name] is None:
            if required:
                problems.append(f"{where}: missing '{name}'")
            continue
        _check_type(where, name, kind, measure[name], problems)
    for name in measure:
        if name not in MEASURE_SCHEMA:
            problems.append(f"{where}: unknown field '{name}' (known: {', '.join(MEASURE_SCHEMA)})")
    if isinstance(measure.get("key"), str) and not KEY_PATTERN.match(measure["key"]):
        problems.append(f"{where}: key {measure['key']!r} should be snake_case English (e.g. guarantee_fee_subsidy)")
    if measure.get("section") not in sections:
        problems.append(f"{where}: section {measure.get('section')!r} is not a section of the document")
    kind = measure.get("kind")
    if kind is not None and kind not in KINDS:
        problems.append(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    rule_keys = measure.get("eligibility_rules") or []
    known_rules = eligibility.rules()
    for key in rule_keys:
        rule = known_rules.get(key)
        if rule is None:
            problems.append(f"{where}: eligibility rule {key!r} does not exist in data/eligibility/")
        elif rule.measure_number != measure.get("number"):
            problems.append(f"{where}: rule {key} belongs to 第{rule.measure_number}条, not this measure")
    if (kind == "eligibility") != bool(rule_keys):
        problems.append(f"{where}: kind 'eligibility' and a non-empty 'eligibility_rules' go together")
    _check_no_invented_numbers(where, measure, problems)


def _check_no_invented_numbers(where: str, measure: Dict[str, Any], problems: List[str]) -> None:
    text = measure.get("text") or ""
    allowed = set(_NUMBER.findall(text))
    for name, value in measure.items():
        if name in ("number", "key", "section", "text", "title"):
            continue
        for string in _strings(value):
            if _URL.search(string):
                problems.append(f"{where}: '{name}' contains a URL; the document gives none: {string[:40]}")
            for number in _NUMBER.findall(_CITATION.sub("", string)):
                if number not in allowed:
                    problems.append(
                        f"{where}: '{name}' states {number}, which the measure's text does not contain: {string[:40]}"
                    )


def _check_aliases(document: DocumentData, problems: List[str]) -> int:
    owner: Dict[str, int] = {}
    count = 0
    for measure in document.measures:
        for term, _canonical in alias_pairs(measure):
            count += 1
            normal = normalise(term)
            first = owner.setdefault(normal, measure["number"])
            if first != measure["number"]:
                problems.append(
                    f"{document.folder.name}: alias {term!r} names both 第{first}条 and 第{measure['number']}条; "
                    "an alias must name one measure"
                )
    return count


def check_document(folder: Path, report: Report) -> None:
    try:
        document = read_document(folder)
    except PolicyDataError as error:
        report.problems.append(str(error))
        return
    meta = document.document
    where = f"{folder.name}/document.yaml"
    for name in DOCUMENT_FIELDS:
        if not meta.get(name):
            report.problems.append(f"{where}: missing '{name}'")
    sections = {s.get("number") for s in meta.get("sections") or []}
    source_path = folder / str(meta.get("source_file") or "source.txt")
    expected: Dict[int, str] = {}
    if source_path.exists():
        expected = source_measures(source_path)
    else:
        report.problems.append(f"{where}: source file {source_path.name} not found")
    numbers = []
    for measure in document.measures:
        path = f"{folder.name}/measures/{measure.get('key', '?')}"
        _check_measure(path, measure, sections, report.problems)
        number = measure.get("number")
        numbers.append(number)
        if expected and expected.get(number) != measure.get("text"):
            report.problems.append(
                f"{path}: 'text' differs from 第{number}条 in {source_path.name}; copy it exactly from the source"
            )
    if expected and sorted(numbers) != sorted(expected):
        missing = sorted(set(expected) - set(numbers))
        extra = sorted(set(numbers) - set(expected))
        report.problems.append(f"{folder.name}: measures missing {missing}, not in the source {extra}")
    keys = [m.get("key") for m in document.measures]
    if len(set(keys)) != len(keys):
        report.problems.append(f"{folder.name}: two measures share a key")
    report.aliases += _check_aliases(document, report.problems)
    report.documents += 1
    report.measures += len(document.measures)


def _check_facts(report: Report) -> None:
    for name, definition in fact_definitions().items():
        seen: Dict[str, Any] = {}
        for word, value in definition.keywords:
            if seen.setdefault(word, value) != value:
                report.problems.append(
                    f"data/facts.yaml: keyword {word!r} of {name} means both {seen[word]} and {value}"
                )


def _check_matching(measure_texts: Dict[int, str], report: Report) -> None:
    vocabulary = matching._vocabulary()
    facts = fact_definitions()
    for signal in matching.signals():
        where = f"data/matching.yaml: signal for 第{signal.measure}条"
        if signal.measure not in measure_texts:
            report.problems.append(f"{where}: no such measure")
            continue
        for name, expected in signal.when.items():
            values = expected if isinstance(expected, list) else [expected]
            if name in matching.LIST_FIELDS:
                unknown = [v for v in values if v not in vocabulary[name]]
            elif name in matching.SCALAR_FIELDS:
                fact = facts[matching.FACT_OF_FIELD.get(name, name)]
                unknown = [v for v in values if v not in fact.value_labels]
            else:
                unknown = [name]
            if unknown:
                report.problems.append(f"{where}: unknown {name} {unknown}")
        allowed = set(_NUMBER.findall(measure_texts[signal.measure]))
        for number in _NUMBER.findall(signal.reason):
            if number not in allowed:
                report.problems.append(f"{where}: reason states {number}, which 第{signal.measure}条 does not contain")
        report.signals += 1


def check(policies_dir: Path = POLICIES_DIR) -> Report:
    report = Report()
    try:
        report.rules = len(eligibility.rules())
    except eligibility.RuleDataError as error:
        report.problems.append(str(error))
    folders = document_folders(policies_dir)
    if not folders:
        report.problems.append(f"{policies_dir}: no policy document (a folder with document.yaml)")
    texts: Dict[int, str] = {}
    for folder in folders:
        check_document(folder, report)
        try:
            texts.update({m["number"]: m["text"] for m in read_document(folder).measures})
        except PolicyDataError:
            pass
    for rule in (eligibility.rules() if report.rules else {}).values():
        if rule.measure_number not in texts:
            report.problems.append(f"data/eligibility/{rule.key}.yaml: measure {rule.measure_number} does not exist")
    _check_facts(report)
    _check_matching(texts, report)
    return report
