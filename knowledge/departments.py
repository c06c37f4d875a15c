"""The departments each measure names: its ``contacts`` in the policy YAML, without the note in
brackets ("安徽省经济和信息化厅（发文单位）" → "安徽省经济和信息化厅"). Hotline staff tag and filter cases
by them; no department is named that the document does not name."""

from __future__ import annotations

import re
from typing import Dict, List

from sqlalchemy.orm import Session

from knowledge.repository import all_measures

_NOTE = re.compile(r"[（(].*$")


def department_name(contact: str) -> str:
    return _NOTE.sub("", contact).strip()


def departments_by_measure(session: Session) -> Dict[int, List[str]]:
    """Measure number → the departments it names, in the document's order."""
    named: Dict[int, List[str]] = {}
    for measure in all_measures(session):
        names = [department_name(str(contact)) for contact in measure.detail("contacts")]
        named[measure.number] = list(dict.fromkeys(name for name in names if name))
    return named


def measures_by_department(by_measure: Dict[int, List[str]]) -> Dict[str, List[int]]:
    """Department → the numbers of the measures that name it."""
    named: Dict[str, List[int]] = {}
    for number in sorted(by_measure):
        for name in by_measure[number]:
            named.setdefault(name, []).append(number)
    return named
