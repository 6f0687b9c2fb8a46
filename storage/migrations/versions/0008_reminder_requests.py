"""reminder requests: a person asked to be reminded of one update

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supporter_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["supporter_id"],
            ["supporters.id"],
            name=op.f("fk_reminder_requests_supporter_id_supporters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["ua_updates.id"],
            name=op.f("fk_reminder_requests_update_id_ua_updates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_requests")),
        sa.UniqueConstraint(
            "supporter_id", "update_id", name=op.f("uq_reminder_requests_supporter_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("reminder_requests")
