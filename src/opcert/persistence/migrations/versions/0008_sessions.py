"""Sessions that end: server-side sessions for every role, holders' login challenges, and
institution web users separate from the API key

``sessions`` replaces ``officer_tokens`` (its open tokens are dropped: officers log in again).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sessions")),
    )
    op.create_index("ix_sessions_kind_subject", "sessions", ["kind", "subject"], unique=False)
    op.create_index(op.f("ix_sessions_expires_at"), "sessions", ["expires_at"], unique=False)
    op.create_table(
        "login_challenges",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sent_to", sa.String(length=40), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_login_challenges")),
    )
    op.create_index(
        op.f("ix_login_challenges_expires_at"), "login_challenges", ["expires_at"], unique=False
    )
    op.create_table(
        "institution_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_institution_users_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institution_users")),
        sa.UniqueConstraint("username", name=op.f("uq_institution_users_username")),
    )
    op.create_index(
        op.f("ix_institution_users_institution_id"),
        "institution_users",
        ["institution_id"],
        unique=False,
    )
    op.drop_index(op.f("ix_officer_tokens_officer_id"), table_name="officer_tokens")
    op.drop_table("officer_tokens")


def downgrade() -> None:
    op.create_table(
        "officer_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_officer_tokens_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_officer_tokens")),
    )
    op.create_index(
        op.f("ix_officer_tokens_officer_id"), "officer_tokens", ["officer_id"], unique=False
    )
    op.drop_index(op.f("ix_institution_users_institution_id"), table_name="institution_users")
    op.drop_table("institution_users")
    op.drop_index(op.f("ix_login_challenges_expires_at"), table_name="login_challenges")
    op.drop_table("login_challenges")
    op.drop_index(op.f("ix_sessions_expires_at"), table_name="sessions")
    op.drop_index("ix_sessions_kind_subject", table_name="sessions")
    op.drop_table("sessions")
