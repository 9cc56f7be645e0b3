"""Lost and coerced phones: a device token marked lost, a duress PIN used, the reports a phone
still held at its last sync (ids and times only)

Revision ID: 0016
Revises: 0015

lost_at/lost_by: a coordinator marked the phone lost (the token is revoked at the same time); the
phone that presents this token again is told to erase itself. duress_at: the monitor entered
the duress PIN (the phone erased itself and said so silently). pending/pending_at: the ids and
times of the reports the phone had not sent at its last sync, never their content.
"""
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    ALTER TABLE device_tokens
        ADD COLUMN lost_at timestamptz,
        ADD COLUMN lost_by uuid,
        ADD COLUMN duress_at timestamptz,
        ADD COLUMN pending jsonb,
        ADD COLUMN pending_at timestamptz,
        ADD CONSTRAINT ck_device_tokens_lost_is_revoked
            CHECK (lost_at IS NULL OR revoked_at IS NOT NULL);
    """)


def downgrade() -> None:
    op.execute("""
    ALTER TABLE device_tokens DROP CONSTRAINT ck_device_tokens_lost_is_revoked,
        DROP COLUMN lost_at, DROP COLUMN lost_by, DROP COLUMN duress_at,
        DROP COLUMN pending, DROP COLUMN pending_at;
    """)
