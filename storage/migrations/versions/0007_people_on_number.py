"""people on a number: each person counted once per UA number across its updates

Revision ID: 0007
Revises: 0006

The count is kept as anonymous ``action_totals`` rows of kind ``people_on_number``. Where
per-person reports are still held, each person is counted on the update and day of their
first report on the number. Where an update's reports were already purged (under the old
per-update purge) nobody can be told apart any more, so its people count is carried over
as it was: the best figure left.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        INSERT INTO action_totals (update_id, kind, day, count)
        SELECT r.update_id, 'people_on_number', r.reported_on, COUNT(*)
        FROM action_reports r
        WHERE r.id IN (
            SELECT MIN(first.id)
            FROM action_reports first
            JOIN ua_updates u ON u.id = first.update_id
            GROUP BY first.supporter_id, u.case_id
        )
        GROUP BY r.update_id, r.reported_on
        """
    )
    op.execute(
        """
        INSERT INTO action_totals (update_id, kind, day, count)
        SELECT t.update_id, 'people_on_number', t.day, t.count
        FROM action_totals t
        WHERE t.kind = 'people' AND t.count <> 0
          AND NOT EXISTS (SELECT 1 FROM action_reports r WHERE r.update_id = t.update_id)
        """
    )


def downgrade() -> None:
    op.execute("DELETE FROM action_totals WHERE kind = 'people_on_number'")
