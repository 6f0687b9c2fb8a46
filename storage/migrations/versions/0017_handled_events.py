"""handled events: what Telegram sends is an event here, "update" being a UA's update alone;
processed_updates becomes handled_events, its update_key event_key

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _move(old: str, old_key: str, new: str, new_key: str) -> None:
    """A new table under the new names (constraints named after it), the rows copied: the
    table holds a few days of keys (purged daily), and this is the same on both databases."""
    op.create_table(
        new,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column(new_key, sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{new}")),
        sa.UniqueConstraint("platform", new_key, name=op.f(f"uq_{new}_platform")),
    )
    op.execute(
        f"INSERT INTO {new} (platform, {new_key}, seen_at) "
        f"SELECT platform, {old_key}, seen_at FROM {old}"
    )
    op.drop_table(old)


def upgrade() -> None:
    _move("processed_updates", "update_key", "handled_events", "event_key")


def downgrade() -> None:
    _move("handled_events", "event_key", "processed_updates", "update_key")
