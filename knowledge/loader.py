"""Load the policy YAML into the database. Idempotent: loading twice leaves one copy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import migrate
from knowledge.db import session_scope
from knowledge.models import Alias, Document, Measure, Section
from knowledge.source_data import MEASURE_COLUMNS, DocumentData, alias_pairs, read_all


@dataclass
class LoadReport:
    documents: int = 0
    measures: int = 0
    aliases: int = 0
    revision: str = ""


def _as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _replace_document(session: Session, data: DocumentData, report: LoadReport) -> None:
    meta = data.document
    existing = session.execute(select(Document).where(Document.key == meta["key"])).scalar_one_or_none()
    if existing is not None:
        session.delete(existing)
        session.flush()
    document = Document(
        key=meta["key"],
        title=meta["title"],
        short_title=meta.get("short_title") or meta["title"],
        issuer=meta["issuer"],
        date=_as_date(meta["date"]),
        published=_as_date(meta.get("published")),
        implements=meta.get("implements"),
        source_file=meta.get("source_file"),
    )
    document.sections = [Section(number=s["number"], title=s["title"]) for s in meta.get("sections", [])]
    for raw in data.measures:
        columns = {name: raw.get(name) or "" for name in MEASURE_COLUMNS}
        columns["kind"] = raw.get("kind") or "support"
        details = {name: value for name, value in raw.items() if name not in MEASURE_COLUMNS}
        measure = Measure(**columns, details=details)
        seen = set()
        for term, canonical in alias_pairs(raw):
            if term not in seen:
                seen.add(term)
                measure.aliases.append(Alias(term=term, canonical=canonical))
        document.measures.append(measure)
        report.measures += 1
        report.aliases += len(measure.aliases)
    session.add(document)
    report.documents += 1


def load(url: str | None = None) -> LoadReport:
    """Migrate the schema to the newest revision and (re)load every policy document."""
    report = LoadReport(revision=migrate.upgrade(url))
    with session_scope(url) as session:
        for data in read_all():
            _replace_document(session, data, report)
    return report
