"""web pages: clues about fake certificates, manual identity reviews

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=True),
        sa.Column("region", sa.String(length=6), nullable=True),
        sa.Column("where_seen", sa.String(length=300), nullable=True),
        sa.Column("details", sa.String(length=2000), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clues")),
    )
    op.create_index(op.f("ix_clues_region"), "clues", ["region"], unique=False)
    op.create_table(
        "identity_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("authority_code", sa.String(length=16), nullable=False),
        sa.Column("photo_type", sa.String(length=40), nullable=False),
        sa.Column("photo", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["authority_code"],
            ["authorities.code"],
            name=op.f("fk_identity_reviews_authority_code_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_reviews")),
    )
    op.create_index(
        op.f("ix_identity_reviews_authority_code"),
        "identity_reviews",
        ["authority_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_identity_reviews_id_number"), "identity_reviews", ["id_number"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_identity_reviews_id_number"), table_name="identity_reviews")
    op.drop_index(op.f("ix_identity_reviews_authority_code"), table_name="identity_reviews")
    op.drop_table("identity_reviews")
    op.drop_index(op.f("ix_clues_region"), table_name="clues")
    op.drop_table("clues")
