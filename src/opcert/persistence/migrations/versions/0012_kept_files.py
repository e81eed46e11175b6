"""Kept files: an upload's error sheet waits for its download in the database (or Redis), not in
the memory of the app process that made it, so any process serves the download.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kept_files",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_kept_files")),
    )
    op.create_index(op.f("ix_kept_files_expires_at"), "kept_files", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_kept_files_expires_at"), table_name="kept_files")
    op.drop_table("kept_files")
