"""audit log: append-only and hash-chained

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE audit_log (
        seq bigint PRIMARY KEY,
        occurred_at timestamptz NOT NULL,
        actor_kind varchar(16) NOT NULL,
        actor_id uuid,
        organisation_id uuid,
        action varchar(64) NOT NULL,
        target_type varchar(32),
        target_id varchar(64),
        address varchar(64),
        details jsonb NOT NULL DEFAULT '{}',
        prev_hash varchar(64) NOT NULL,
        hash varchar(64) NOT NULL,
        note text
    )""")
    op.execute("CREATE INDEX ix_audit_log_action ON audit_log (action)")
    op.execute("CREATE INDEX ix_audit_log_target ON audit_log (target_type, target_id)")
    op.execute("CREATE INDEX ix_audit_log_actor ON audit_log (actor_id, seq)")
    op.execute("CREATE INDEX ix_audit_log_occurred ON audit_log (occurred_at)")
    # Append-only: the application never updates or deletes an entry. A tamperer with table
    # ownership can disable this trigger, which is why entries are also hash-chained.
    op.execute("""
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only';
    END $$""")
    op.execute("""CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
                  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""")


def downgrade() -> None:
    op.execute("DROP TABLE audit_log")
    op.execute("DROP FUNCTION audit_log_append_only()")
