"""audit pseudonyms: actor and target as keyed pseudonyms, and an outcome with its reason

Revision ID: 0009
Revises: 0008

Older entries linked the actor's row, a link /forget erased; the key that makes pseudonyms
is not available to a migration, so those entries keep an empty actor ("before
pseudonyms"). Their allowed flag becomes the outcome done or refused.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("actor", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("target", sa.String(16), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(8), nullable=False, server_default="done"))
        batch.add_column(sa.Column("reason", sa.String(64), nullable=False, server_default=""))
    op.execute("UPDATE audit_log SET outcome = 'refused' WHERE NOT allowed")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("fk_audit_log_actor_id_supporters", type_="foreignkey")
        batch.drop_column("actor_id")
        batch.drop_column("allowed")
        batch.alter_column("actor", server_default=None)
        batch.alter_column("outcome", server_default=None)
        batch.alter_column("reason", server_default=None)
        batch.create_index(op.f("ix_audit_log_actor"), ["actor"])
        batch.create_index(op.f("ix_audit_log_target"), ["target"])


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index(op.f("ix_audit_log_target"))
        batch.drop_index(op.f("ix_audit_log_actor"))
        batch.add_column(sa.Column("allowed", sa.Boolean(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_audit_log_actor_id_supporters",
            "supporters",
            ["actor_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute("UPDATE audit_log SET allowed = (outcome <> 'refused')")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("reason")
        batch.drop_column("outcome")
        batch.drop_column("target")
        batch.drop_column("actor")
