"""outbox indexes: the claim and the progress count read only the rows they need

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deliveries_due", "deliveries", ["status", "priority", "id"])
    op.create_index("ix_deliveries_progress", "deliveries", ["update_id", "kind", "status"])
    # Its one column leads ix_deliveries_due: one index fewer to write per delivery.
    op.drop_index("ix_deliveries_status", table_name="deliveries")


def downgrade() -> None:
    op.create_index("ix_deliveries_status", "deliveries", ["status"])
    op.drop_index("ix_deliveries_progress", table_name="deliveries")
    op.drop_index("ix_deliveries_due", table_name="deliveries")
