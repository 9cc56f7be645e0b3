"""the delivery ledger: which incidents each partner organisation holds

Revision ID: 0008
Revises: 0007

Every partner output (feed, OGC API, exports) records here, in the statement that selects them,
the incidents it hands to a partner organisation and the policy version it applied. A tombstone
goes only to an organisation holding the id (`withdrawn_at` is set when it is handed one), so
tombstones no longer reveal incidents a partner never received; an admin can answer "which
partners hold incident X" (for a consent withdrawal) from the incident_id index.
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE partner_deliveries (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        policy_version integer NOT NULL,
        delivered_at timestamptz NOT NULL DEFAULT now(),
        withdrawn_at timestamptz,
        PRIMARY KEY (organisation_id, incident_id)
    );
    CREATE INDEX partner_deliveries_incident ON partner_deliveries (incident_id);
    """)


def downgrade() -> None:
    op.execute("DROP TABLE partner_deliveries")
