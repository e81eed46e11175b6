"""Renewal applications: a holder applies for renewal (换证) from 我的证书 in its window, and the
application waits in the issuing authority's queue.

Revision ID: 0014
Revises: 0012 (0013 once the officer branch is merged: see the note below)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
# On merge with the branch that adds 0013 (officer search index), this becomes "0013".
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "renewal_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("authority_code", sa.String(length=16), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_code"],
            ["authorities.code"],
            name=op.f("fk_renewal_applications_authority_code_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_renewal_applications_certificate_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renewal_applications")),
    )
    op.create_index(
        "ix_renewal_applications_authority_status",
        "renewal_applications",
        ["authority_code", "status"],
    )
    op.create_index(
        "ix_renewal_applications_certificate_status",
        "renewal_applications",
        ["certificate_id", "status"],
    )


def downgrade() -> None:
    op.drop_index("ix_renewal_applications_certificate_status", table_name="renewal_applications")
    op.drop_index("ix_renewal_applications_authority_status", table_name="renewal_applications")
    op.drop_table("renewal_applications")
