"""synth_anomalies: ground-truth labels of the anomalies injected by ``opcert synth``

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "synth_anomalies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synth_anomalies")),
    )
    op.create_index(op.f("ix_synth_anomalies_kind"), "synth_anomalies", ["kind"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_synth_anomalies_kind"), table_name="synth_anomalies")
    op.drop_table("synth_anomalies")
