"""field marks: which of an update's fields the reader assumed or doubted, for the preview

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ua_updates") as batch:
        batch.add_column(sa.Column("field_marks", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("ua_updates") as batch:
        batch.drop_column("field_marks")
