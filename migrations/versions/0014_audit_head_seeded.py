"""the audit chain's head exists from the start

Revision ID: 0014
Revises: 0013

The append statement locks the head row (audit_head) to order writers. On a log that never had
an entry there was no row to lock, so the first writers of a fresh installation raced for
`seq` 1 and all but one failed. The head now starts at the genesis (0, sixty-four zeros), which
`flask audit verify` reads as an empty log.
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64)) "
               "ON CONFLICT (id) DO NOTHING")


def downgrade() -> None:
    pass  # the row is the head of whatever log follows; removing it would hide a truncation
