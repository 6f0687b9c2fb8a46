"""lenient drafts: a draft may lack its UA number and deadline; revisions of live updates;
organisers' pending inputs

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


#: On SQLite the tables are rebuilt with AUTOINCREMENT: ids of deleted drafts are not
#: reused, so an old button can never act on a newer draft.
_NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("ua_cases", table_kwargs=_NEVER_REUSE_IDS) as batch:
        batch.alter_column("number", existing_type=sa.String(length=16), nullable=True)
    with op.batch_alter_table("ua_updates", table_kwargs=_NEVER_REUSE_IDS) as batch:
        batch.alter_column("deadline", existing_type=sa.Date(), nullable=True)
    op.create_table(
        "ua_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["ua_updates.id"],
            name=op.f("fk_ua_revisions_update_id_ua_updates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ua_revisions")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "pending_inputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supporter_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["supporter_id"],
            ["supporters.id"],
            name=op.f("fk_pending_inputs_supporter_id_supporters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_inputs")),
        sa.UniqueConstraint("supporter_id", name=op.f("uq_pending_inputs_supporter_id")),
    )


def downgrade() -> None:
    op.drop_table("pending_inputs")
    op.drop_table("ua_revisions")
    with op.batch_alter_table("ua_updates") as batch:
        batch.alter_column("deadline", existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table("ua_cases") as batch:
        batch.alter_column("number", existing_type=sa.String(length=16), nullable=False)
