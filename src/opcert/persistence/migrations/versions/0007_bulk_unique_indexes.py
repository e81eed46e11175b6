"""Unique indexes instead of unique table constraints on the four tables a national load fills

``persons``, ``exam_results``, ``certificates`` and ``credential_versions`` enforce the same
uniqueness as before, through named unique indexes. The difference matters only to a bulk load
(``opcert synth``): it drops a table's secondary indexes, appends the rows, and builds the
indexes again by sorting, where SQLite cannot drop the index behind a table constraint and would
keep inserting tens of millions of random keys into it (decision 0007).

On SQLite each table is copied (batch mode) with foreign keys off (``database.migrate``).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (constraint, index, columns)
CONVERSIONS: dict[str, list[tuple[str, str, list[str]]]] = {
    "persons": [("uq_persons_id_number", "ux_persons_id_number", ["id_number"])],
    "exam_results": [
        (
            "uq_exam_results_institution_id_ref",
            "ux_exam_results_institution_id_ref",
            ["institution_id", "ref"],
        )
    ],
    "certificates": [
        (
            "uq_certificates_number_item_code",
            "ux_certificates_number_item_code",
            ["number", "item_code"],
        )
    ],
    "credential_versions": [
        ("uq_credential_versions_cti", "ux_credential_versions_cti", ["cti"]),
        (
            "uq_credential_versions_list_id_list_index",
            "ux_credential_versions_list_id_list_index",
            ["list_id", "list_index"],
        ),
    ],
}


def upgrade() -> None:
    for table, conversions in CONVERSIONS.items():
        with op.batch_alter_table(table) as batch:
            for constraint, _, _ in conversions:
                batch.drop_constraint(constraint, type_="unique")
        for _, index, columns in conversions:
            op.create_index(index, table, columns, unique=True)


def downgrade() -> None:
    for table, conversions in CONVERSIONS.items():
        for _, index, _ in conversions:
            op.drop_index(index, table_name=table)
        with op.batch_alter_table(table) as batch:
            for constraint, _, columns in conversions:
                batch.create_unique_constraint(constraint, columns)
