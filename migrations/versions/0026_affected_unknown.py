"""an incident's people-affected counts may be "not known" (NULL) instead of a forced 0 (issue 15);
the total is the sum of the known counts ("at least"), NULL when none is known

Existing rows are not touched: their zeros stay zeros (which of them were forced cannot be known).

Revision ID: 0026
Revises: 0025
"""
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

GROUPS = ("women", "men", "girls", "boys", "unaccompanied")
TOTAL_OF = ("women", "men", "girls", "boys")
# 0006's partial index for the partner pages (index-only scans) holds the total: dropped with
# the column, made again the same.
PARTNER_INDEX = """
    CREATE INDEX ix_incidents_partner ON incidents (updated_at, id)
        INCLUDE (location, verification_status, type, occurred_on, country, facility_id, admin1,
                 date_precision, affected_women, affected_men, affected_girls, affected_boys,
                 affected_unaccompanied, affected_total, severity, perpetrator, source_type)
        WHERE retracted_at IS NULL AND duplicate_of IS NULL
              AND consent IN ('share_anonymised', 'share_with_consent')"""
KNOWN_TOTAL = ("CASE WHEN " + " AND ".join(f"affected_{g} IS NULL" for g in TOTAL_OF)
               + " THEN NULL ELSE "
               + " + ".join(f"coalesce(affected_{g}, 0)" for g in TOTAL_OF) + " END")
EARLIER_TOTAL = " + ".join(f"affected_{g}" for g in TOTAL_OF)


def _total(expression: str) -> None:
    op.execute("DROP INDEX ix_incidents_partner")
    op.execute("ALTER TABLE incidents DROP COLUMN affected_total")
    op.execute(f"ALTER TABLE incidents ADD COLUMN affected_total integer "
               f"GENERATED ALWAYS AS ({expression}) STORED")
    op.execute(PARTNER_INDEX)


def upgrade() -> None:
    op.execute("ALTER TABLE incidents " + ", ".join(
        f"ALTER COLUMN affected_{g} DROP NOT NULL, ALTER COLUMN affected_{g} DROP DEFAULT"
        for g in GROUPS))
    _total(KNOWN_TOTAL)
    op.execute("COMMENT ON COLUMN incidents.affected_total IS 'The sum of the known counts of "
               "women, men, girls and boys: at least this many when a count is not known; NULL "
               "when none is known.'")


def downgrade() -> None:
    # The earlier schema has no "not known": such a count becomes 0, as it was forced before.
    op.execute("UPDATE incidents SET " + ", ".join(
        f"affected_{g} = coalesce(affected_{g}, 0)" for g in GROUPS)
        + " WHERE " + " OR ".join(f"affected_{g} IS NULL" for g in GROUPS))
    op.execute("ALTER TABLE incidents " + ", ".join(
        f"ALTER COLUMN affected_{g} SET DEFAULT 0, ALTER COLUMN affected_{g} SET NOT NULL"
        for g in GROUPS))
    _total(EARLIER_TOTAL)
