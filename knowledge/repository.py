"""Read-side queries over the knowledge database."""

from __future__ import annotations

from typing import List, Union

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from knowledge.models import Alias, Document, Measure


class MeasureNotFound(LookupError):
    pass


def get_measure(session: Session, ref: Union[int, str]) -> Measure:
    """A measure by number (13, "13") or key ("huishang_service_card")."""
    query = select(Measure).options(selectinload(Measure.document), selectinload(Measure.aliases))
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        query = query.where(Measure.number == int(ref))
    else:
        query = query.where(Measure.key == ref)
    measure = session.execute(query).scalars().first()
    if measure is None:
        raise MeasureNotFound(f"no measure {ref!r}; `python -m knowledge show` lists them")
    return measure


def all_measures(session: Session) -> List[Measure]:
    query = select(Measure).options(selectinload(Measure.document)).order_by(Measure.number)
    return list(session.execute(query).scalars())


def measure_for_alias(session: Session, term: str) -> Measure | None:
    query = select(Measure).join(Alias).where(Alias.term == term)
    return session.execute(query).scalars().first()


def all_aliases(session: Session) -> List[Alias]:
    return list(session.execute(select(Alias).options(selectinload(Alias.measure))).scalars())


def documents(session: Session) -> List[Document]:
    return list(session.execute(select(Document)).scalars())
