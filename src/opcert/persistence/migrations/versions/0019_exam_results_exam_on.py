"""An index on the exam date, for the exam-data analysis, which reads a span of months (the last
twelve, most often) out of ten years of results (issue 16, docs/performance.md).

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


def downgrade() -> None:
    op.drop_index("ix_exam_results_exam_on", table_name="exam_results")
