"""Exam-data integrity (issue 16): the exam-point register and issuance holds.

Every exam point registered before this migration keeps what it was authorised for: one
accreditation per listed item (one for every item when none was listed), with no dates and the
attestations of a registered point, recorded by ``migration:0018`` (decision 0028).

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    accreditations = op.create_table(
        "exam_point_accreditations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exam_point_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=8), nullable=True),
        sa.Column("standardised", sa.Boolean(), nullable=False),
        sa.Column("real_equipment", sa.Boolean(), nullable=False),
        sa.Column("training_separated", sa.Boolean(), nullable=False),
        sa.Column("accredited_from", sa.Date(), nullable=True),
        sa.Column("accredited_to", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exam_point_id"],
            ["exam_points.id"],
            name=op.f("fk_exam_point_accreditations_exam_point_id_exam_points"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_point_accreditations")),
    )
    op.create_index(
        "ix_exam_point_accreditations_point",
        "exam_point_accreditations",
        ["exam_point_id", "item_code"],
        unique=False,
    )
    op.create_table(
        "exam_data_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_type", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("grounds", sa.JSON(), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=80), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_data_holds")),
    )
    op.create_index(
        "ix_exam_data_holds_unit",
        "exam_data_holds",
        ["unit_type", "unit", "released_at"],
        unique=False,
    )
    op.create_index(op.f("ix_exam_data_holds_region"), "exam_data_holds", ["region"], unique=False)
    _carry_over(accreditations)


def _carry_over(accreditations: sa.Table) -> None:
    points = op.get_bind().execute(sa.text("SELECT id, items FROM exam_points")).all()
    now = datetime.now(UTC)
    rows = []
    for point_id, items in points:
        listed = json.loads(items) if isinstance(items, str) else items
        for item in listed or [None]:
            rows.append(
                {
                    "exam_point_id": point_id,
                    "item_code": item,
                    "standardised": True,
                    "real_equipment": True,
                    "training_separated": True,
                    "accredited_from": None,
                    "accredited_to": None,
                    "recorded_by": "migration:0018",
                    "recorded_at": now,
                }
            )
    if rows:
        op.bulk_insert(accreditations, rows)


def downgrade() -> None:
    op.drop_index(op.f("ix_exam_data_holds_region"), table_name="exam_data_holds")
    op.drop_index("ix_exam_data_holds_unit", table_name="exam_data_holds")
    op.drop_table("exam_data_holds")
    op.drop_index("ix_exam_point_accreditations_point", table_name="exam_point_accreditations")
    op.drop_table("exam_point_accreditations")
