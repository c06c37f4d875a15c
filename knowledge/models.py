"""SQLAlchemy models: documents → sections → measures, and the aliases that name them."""

from __future__ import annotations

from typing import Any, Dict, List

from sqlalchemy import JSON, Column, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base, relationship

# Any: SQLAlchemy 1.4's declarative_base() is a runtime-made class that mypy cannot use as a base.
Base: Any = declarative_base()


class Document(Base):
    __tablename__ = "kb_documents"

    id = Column(Integer, primary_key=True)
    key = Column(String(64), unique=True, nullable=False)
    title = Column(Text, nullable=False)
    short_title = Column(String(128), nullable=False)
    issuer = Column(String(128), nullable=False)
    date = Column(Date, nullable=False)
    published = Column(Date)
    implements = Column(Text)
    source_file = Column(String(256))

    sections = relationship(
        "Section", back_populates="document", cascade="all, delete-orphan", order_by="Section.number"
    )
    measures = relationship(
        "Measure", back_populates="document", cascade="all, delete-orphan", order_by="Measure.number"
    )

    def source(self) -> Dict[str, str]:
        """The ``source`` block of the answer card."""
        return {"title": self.title, "issuer": self.issuer, "date": self.date.isoformat()}


class Section(Base):
    __tablename__ = "kb_sections"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False)
    number = Column(Integer, nullable=False)
    title = Column(String(128), nullable=False)

    document = relationship("Document", back_populates="sections")


class Measure(Base):
    __tablename__ = "kb_measures"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False)
    number = Column(Integer, nullable=False)
    key = Column(String(64), unique=True, nullable=False)
    section = Column(Integer, nullable=False)
    title = Column(String(256), nullable=False)
    text = Column(Text, nullable=False)
    summary = Column(Text, nullable=False, default="")
    how_to_apply = Column(Text, nullable=False, default="")
    # support (criteria come from the yearly notices) | eligibility (rules in data/eligibility/)
    # | work (a government work arrangement, nothing to apply for)
    kind = Column(String(16), nullable=False, default="support", server_default="support", index=True)
    # Lists from the YAML (support_forms, beneficiaries, benefits, contacts, targets, programmes…)
    # kept as one JSON value: they are read whole, never queried by part.
    details = Column(JSON, nullable=False, default=dict)

    document = relationship("Document", back_populates="measures")
    aliases = relationship("Alias", back_populates="measure", cascade="all, delete-orphan")

    def detail(self, name: str) -> List[Any]:
        value = (self.details or {}).get(name)
        return list(value) if value else []


class Alias(Base):
    """A term users say for a measure or a programme it names (技改 → 技术改造 → 第6条)."""

    __tablename__ = "kb_aliases"
    __table_args__ = (UniqueConstraint("measure_id", "term"),)

    id = Column(Integer, primary_key=True)
    measure_id = Column(Integer, ForeignKey("kb_measures.id", ondelete="CASCADE"), nullable=False)
    term = Column(String(128), nullable=False, index=True)
    canonical = Column(String(128), nullable=False)

    measure = relationship("Measure", back_populates="aliases")
