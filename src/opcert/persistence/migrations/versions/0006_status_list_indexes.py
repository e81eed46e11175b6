"""Status-list builds at national scale: a covering index for a list's entries, and a partial
index of the certificates whose missed review can still lapse them

A list is rebuilt for online checks once per process and day. Its entries are now read from one
index (no table rows), and the lapse query probes a small partial index (review due before
2026-06-01, the last date a review could fall due, on active certificates) instead of fetching
every certificate of the list.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LAPSE_CANDIDATES = "review_due_on < '2026-06-01' AND state = 'active'"


def upgrade() -> None:
    op.drop_index("ix_credential_versions_list_id_status_value", table_name="credential_versions")
    op.create_index(
        "ix_credential_versions_list_entries",
        "credential_versions",
        ["list_id", "status_value", "list_index", "certificate_id", "id"],
    )
    op.create_index(
        "ix_certificates_lapse_candidates",
        "certificates",
        ["current_version_id"],
        sqlite_where=sa.text(LAPSE_CANDIDATES),
        postgresql_where=sa.text(LAPSE_CANDIDATES),
    )


def downgrade() -> None:
    op.drop_index("ix_certificates_lapse_candidates", table_name="certificates")
    op.drop_index("ix_credential_versions_list_entries", table_name="credential_versions")
    op.create_index(
        "ix_credential_versions_list_id_status_value",
        "credential_versions",
        ["list_id", "status_value"],
    )
