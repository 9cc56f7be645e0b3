"""The answers of every version of a visit, for the reviewer's diff; a monitor's own reports

Revision ID: 0017
Revises: 0016

visit_versions: one row per (visit, version), written in the submission's transaction with the
answers that version carried (no notes or narratives: only whether they changed, by digest), so
that a reviewer sees what a corrected report changed. Earlier versions, received before this
table existed, have no row: the reviewer is told the diff is not available.
A monitor's "my reports" list pages newest first over their own visits and stand-alone incidents
(visits have ix_visits_monitor; stand-alone incidents get theirs here).
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    CREATE TABLE visit_versions (
        visit_id uuid NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
        version integer NOT NULL,
        answers jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (visit_id, version)
    )""")
    op.execute("CREATE INDEX ix_incidents_monitor_created ON incidents "
               "(monitor_id, created_at DESC, id DESC) WHERE visit_id IS NULL")


def downgrade():
    op.execute("DROP INDEX ix_incidents_monitor_created")
    op.execute("DROP TABLE visit_versions")
