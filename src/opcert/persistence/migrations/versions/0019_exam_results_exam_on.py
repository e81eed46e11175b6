"""Indexes for the exam-data analysis (issue 16, docs/performance.md): the exam date, since the
analysis reads a span of months (the last twelve, most often) out of ten years of results; and a
person's results in an item in date order, so that "is there an earlier attempt?" is answered
from the index alone. The second replaces the index on (id_number, item_code), which it covers.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_exam_results_exam_on", "exam_results", ["exam_on"], unique=False)
    op.create_index(
        "ix_exam_results_id_number_item_code_exam_on",
        "exam_results",
        ["id_number", "item_code", "exam_on", "id"],
        unique=False,
    )
    op.drop_index("ix_exam_results_id_number_item_code", table_name="exam_results")


def downgrade() -> None:
    op.create_index(
        "ix_exam_results_id_number_item_code",
        "exam_results",
        ["id_number", "item_code"],
        unique=False,
    )
    op.drop_index("ix_exam_results_id_number_item_code_exam_on", table_name="exam_results")
    op.drop_index("ix_exam_results_exam_on", table_name="exam_results")
