"""The exam-data analysis reads one index (issue 16, decision 0030): each result records, when it
is filed, whether it is the person's first exam in the item and the holder's division, and one
covering index holds every column the monthly aggregate sums, in exam-date order. At scale 1 the
analysis asked, for each of 3.3 million results, whether an earlier attempt existed and where the
holder lives: random reads across a 14 GB file (311 s for 12 months, docs/performance.md).

The index replaces the one on ``exam_on`` alone, its prefix. Existing rows are filled in here:
the first attempt by ``ROW_NUMBER()`` over each person's results in the item, the home from the
holder's current division (what the analysis used until now).

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVERED = [
    "exam_on",
    "exam_point_id",
    "item_code",
    "passed",
    "theory_score",
    "practical_score",
    "first_attempt",
    "home_division",
    "person_id",
    "phone",
]


def upgrade() -> None:
    op.add_column(
        "exam_results",
        sa.Column("first_attempt", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("exam_results", sa.Column("home_division", sa.String(length=6), nullable=True))
    op.execute(
        "UPDATE exam_results SET home_division = "
        "(SELECT persons.division FROM persons WHERE persons.id = exam_results.person_id)"
    )
    op.execute(
        "UPDATE exam_results SET first_attempt = TRUE WHERE id IN (SELECT id FROM ("
        "SELECT id, ROW_NUMBER() OVER (PARTITION BY id_number, item_code ORDER BY exam_on, id) "
        "AS n FROM exam_results) AS ranked WHERE n = 1)"
    )
    op.create_index("ix_exam_results_analytics", "exam_results", COVERED, unique=False)
    op.drop_index("ix_exam_results_exam_on", table_name="exam_results")


def downgrade() -> None:
    op.create_index("ix_exam_results_exam_on", "exam_results", ["exam_on"], unique=False)
    op.drop_index("ix_exam_results_analytics", table_name="exam_results")
    op.drop_column("exam_results", "home_division")
    op.drop_column("exam_results", "first_attempt")
