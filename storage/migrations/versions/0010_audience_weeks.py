"""audience weeks: anonymous weekly counts of who subscribed, left, blocked or erased

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audience_weeks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audience_weeks")),
        sa.UniqueConstraint("week", "event", name=op.f("uq_audience_weeks_week")),
    )


def downgrade() -> None:
    op.drop_table("audience_weeks")
