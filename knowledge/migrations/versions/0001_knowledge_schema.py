"""The knowledge schema: documents → sections → measures → aliases.

Revision ID: 0001_knowledge_schema
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_knowledge_schema"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("short_title", sa.String(128), nullable=False),
        sa.Column("issuer", sa.String(128), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("published", sa.Date()),
        sa.Column("implements", sa.Text()),
        sa.Column("source_file", sa.String(256)),
    )
    op.create_table(
        "kb_sections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(128), nullable=False),
        sa.UniqueConstraint("document_id", "number"),
    )
    op.create_table(
        "kb_measures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("section", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(256), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("how_to_apply", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.UniqueConstraint("document_id", "number"),
    )
    op.create_table(
        "kb_aliases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("measure_id", sa.Integer(), sa.ForeignKey("kb_measures.id", ondelete="CASCADE"), nullable=False),
        sa.Column("term", sa.String(128), nullable=False),
        sa.Column("canonical", sa.String(128), nullable=False),
        sa.UniqueConstraint("measure_id", "term"),
    )
    op.create_index("ix_kb_aliases_term", "kb_aliases", ["term"])


def downgrade() -> None:
    op.drop_index("ix_kb_aliases_term", table_name="kb_aliases")
    op.drop_table("kb_aliases")
    op.drop_table("kb_measures")
    op.drop_table("kb_sections")
    op.drop_table("kb_documents")
