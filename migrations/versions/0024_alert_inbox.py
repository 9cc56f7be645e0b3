"""alerts: the changes waiting to be turned into notifications, one row each (visit, incident,
case), written in the transaction of the change; one job drains them in batches (issue 20:
alert latency under 100 submissions/s, where a job per change spent the worker on job overhead)

Revision ID: 0024
Revises: 0023
"""
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE alert_inbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('visit', 'incident', 'case')),
        target_id uuid NOT NULL,
        event_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text
    )""")


def downgrade() -> None:
    # What waits is turned back into one job per change, as before this revision.
    op.execute("""
    INSERT INTO procrastinate_jobs (queue_name, task_name, args)
    SELECT 'alerts', 'alerts.' || kind,
           jsonb_build_object(kind || '_id', target_id::text, 'at', event_at)
    FROM alert_inbox WHERE attempts < 10 ORDER BY id""")
    op.execute("DROP TABLE alert_inbox")
