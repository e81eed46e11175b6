"""Reminder letters (提醒函) to provinces about exam-data signals, and the replies (issue 16).

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(length=6), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("signals_digest", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=80), nullable=False),
        sa.Column("reply_due_on", sa.Date(), nullable=False),
        sa.Column("reply_due_provisional", sa.Boolean(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["reminder_letters.id"],
            name=op.f("fk_reminder_letters_supersedes_id_reminder_letters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_letters")),
        sa.UniqueConstraint("number", name=op.f("uq_reminder_letters_number")),
        sa.UniqueConstraint(
            "province",
            "period",
            "revision",
            name=op.f("uq_reminder_letters_province_period_revision"),
        ),
        sa.UniqueConstraint("year", "serial", name=op.f("uq_reminder_letters_year_serial")),
    )
    op.create_index(
        op.f("ix_reminder_letters_province"), "reminder_letters", ["province"], unique=False
    )
    op.create_table(
        "reminder_letter_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("unit_type", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("statistic", sa.Float(), nullable=False),
        sa.Column("p_value", sa.Float(), nullable=False),
        sa.Column("q_value", sa.Float(), nullable=False),
        sa.Column("effect", sa.Float(), nullable=False),
        sa.Column("observed", sa.Float(), nullable=False),
        sa.Column("reference", sa.Float(), nullable=False),
        sa.Column("explanation_zh", sa.Text(), nullable=False),
        sa.Column("explanation_en", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["reminder_letters.id"],
            name=op.f("fk_reminder_letter_signals_letter_id_reminder_letters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_letter_signals")),
        sa.UniqueConstraint(
            "letter_id", "position", name=op.f("uq_reminder_letter_signals_letter_id_position")
        ),
    )
    op.create_index(
        op.f("ix_reminder_letter_signals_letter_id"),
        "reminder_letter_signals",
        ["letter_id"],
        unique=False,
    )
    op.create_table(
        "reminder_letter_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("officer", sa.String(length=80), nullable=False),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["reminder_letter_signals.id"],
            name=op.f("fk_reminder_letter_replies_signal_id_reminder_letter_signals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_letter_replies")),
    )
    op.create_index(
        op.f("ix_reminder_letter_replies_signal_id"),
        "reminder_letter_replies",
        ["signal_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_reminder_letter_replies_signal_id"), table_name="reminder_letter_replies"
    )
    op.drop_table("reminder_letter_replies")
    op.drop_index(
        op.f("ix_reminder_letter_signals_letter_id"), table_name="reminder_letter_signals"
    )
    op.drop_table("reminder_letter_signals")
    op.drop_index(op.f("ix_reminder_letters_province"), table_name="reminder_letters")
    op.drop_table("reminder_letters")
