"""persons at risk met during a visit (issue 19): a case made from a visit report names it

Revision ID: 0021
Revises: 0020

`cases.visit_id` is the visit report's id (its instanceID's uuid, = visits.id once the visit is
received). No foreign key: the phone queues the sealed case and the visit apart, and either may
arrive first. It is a link for counts (how many persons at risk a visit recorded), known without
any key, like the facility, date and urgency; nothing of the person is in it.
"""
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    ALTER TABLE cases ADD COLUMN visit_id uuid;
    CREATE INDEX ix_cases_visit ON cases (visit_id) WHERE visit_id IS NOT NULL;
    """)


def downgrade() -> None:
    op.execute("DROP INDEX ix_cases_visit; ALTER TABLE cases DROP COLUMN visit_id;")
