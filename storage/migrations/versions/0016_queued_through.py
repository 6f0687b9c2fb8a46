"""queued through: a broadcast to many is queued in batches, the worker going on from here;
the audience indexed in id order for its count and its batches

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("queued_through", sa.Integer(), nullable=True))
    op.create_index("ix_supporters_audience", "supporters", ["subscribed", "active", "id"])


def downgrade() -> None:
    op.drop_index("ix_supporters_audience", table_name="supporters")
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("queued_through")
