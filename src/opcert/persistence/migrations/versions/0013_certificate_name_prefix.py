"""An index for the officer's search by the start of a name (李, 李四, 阿依古丽): a pattern
operator class on PostgreSQL (LIKE 'x%' uses it under any collation); a plain index on SQLite,
where the search asks for the range [x, x + U+10FFFF) (decision record 0020).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_certificates_name_prefix",
        "certificates",
        ["name"],
        unique=False,
        postgresql_ops={"name": "varchar_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_certificates_name_prefix", table_name="certificates")
