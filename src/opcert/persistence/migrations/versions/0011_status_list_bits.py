"""Persisted status-list bits (decision 0011)

``status_list_bits`` keeps each status list's built entries (the packed 2-bit bitstring,
GZIP-compressed, base64url as in the signed list) with the list revision and the lapse cutoff
they were built for, so a process that starts loads them instead of rebuilding every list from
``credential_versions``. A row is only used while its revision and cutoff still match; a status
change updates it in the same transaction. The table starts empty: the first warmer after the
upgrade fills it.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "status_list_bits",
        sa.Column("list_id", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("lapse_cutoff", sa.Date(), nullable=False),
        sa.Column("bits", sa.Text(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["status_lists.list_id"],
            name=op.f("fk_status_list_bits_list_id_status_lists"),
        ),
        sa.PrimaryKeyConstraint("list_id", name=op.f("pk_status_list_bits")),
    )


def downgrade() -> None:
    op.drop_table("status_list_bits")
