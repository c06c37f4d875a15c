"""Measures get a kind: support (criteria in yearly notices), eligibility (rules in
data/eligibility/) or work (a government work arrangement, nothing to apply for).

Revision ID: 0002_measure_kind
Revises: 0001_knowledge_schema
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_measure_kind"
down_revision = "0001_knowledge_schema"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kb_measures") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="support"))
        batch.create_index("ix_kb_measures_kind", ["kind"])


def downgrade() -> None:
    with op.batch_alter_table("kb_measures") as batch:
        batch.drop_index("ix_kb_measures_kind")
        batch.drop_column("kind")
