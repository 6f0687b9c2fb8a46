"""send budget: Telegram's bulk limit shared by every process of the bot

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "send_budget",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("next_slot", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=False),
    )
    # Both "now": the first message may leave at once.
    op.execute(table.insert().values(id=1, next_slot=sa.func.now(), paused_until=sa.func.now()))


def downgrade() -> None:
    op.drop_table("send_budget")
