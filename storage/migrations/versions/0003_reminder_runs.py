"""reminder runs

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("offset_key", sa.String(length=16), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["ua_updates.id"],
            name=op.f("fk_reminder_runs_update_id_ua_updates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_runs")),
        sa.UniqueConstraint("update_id", "offset_key", name=op.f("uq_reminder_runs_update_id")),
    )


def downgrade() -> None:
    op.drop_table("reminder_runs")
