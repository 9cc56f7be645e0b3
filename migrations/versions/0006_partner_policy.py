"""partner sharing policies, per-key rate limits, and updated_at that always moves

Revision ID: 0006
Revises: 0005

One policy row per partner organisation (an organisation without a row gets the defaults below:
verified only, admin-1 precision, k = 5). server/partner/policy.py is the one module that applies
it, in SQL, to every partner output.

Incremental sync needs no per-partner state: a record is sent again to a partner whose last sync
token is `since` when its row changed (updated_at >= since), when its embargo ended after `since`,
when its facility changed (facility precision), or — every record — when the partner's policy
changed after `since`. Whatever is then not shareable (retracted, rejected, merged as duplicate,
consent withdrawn, outside the new policy) goes out as a tombstone. The trigger below guarantees
that no UPDATE of an incident leaves updated_at unchanged, so no writer can forget it.
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PRECISIONS = "('exact', 'facility', 'grid', 'admin1', 'country')"
STATUSES = "ARRAY['submitted', 'has_issues', 'verified', 'rejected']"


def upgrade() -> None:
    op.execute(f"""
    CREATE TABLE sharing_policies (
        organisation_id uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
        incident_types text[] CHECK (incident_types IS NULL OR cardinality(incident_types) >= 1),
        statuses text[] NOT NULL DEFAULT ARRAY['verified']
            CHECK (cardinality(statuses) >= 1 AND statuses <@ {STATUSES}),
        location_precision text NOT NULL DEFAULT 'admin1'
            CHECK (location_precision IN {PRECISIONS}),
        grid_km real CHECK (grid_km IS NULL OR grid_km BETWEEN 1 AND 500),
        sensitive_types text[] NOT NULL DEFAULT ARRAY['sgbv', 'self_harm'],
        sensitive_precision text NOT NULL DEFAULT 'admin1'
            CHECK (sensitive_precision IN ('grid', 'admin1', 'country')),
        small_count_k smallint NOT NULL DEFAULT 5 CHECK (small_count_k BETWEEN 1 AND 100),
        embargo_days integer NOT NULL DEFAULT 0 CHECK (embargo_days BETWEEN 0 AND 3650),
        countries char(3)[] CHECK (countries IS NULL OR cardinality(countries) >= 1),
        withheld_fields text[] NOT NULL DEFAULT '{{}}',
        note text CHECK (length(note) <= 2000),
        version integer NOT NULL DEFAULT 1,
        changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        changed_by uuid,
        CONSTRAINT ck_sharing_policies_grid CHECK (
            grid_km IS NOT NULL OR (location_precision <> 'grid' AND sensitive_precision <> 'grid'))
    )""")

    # Generic cell rate algorithm per key: `tat` is the theoretical arrival time of the next
    # request; `refused` counts the refusals of a burst (only the first is audited at once) and
    # `reported` hands their number to the next allowed request, which audits it as one entry.
    op.execute("""
    CREATE TABLE partner_rate_limits (
        credential_id uuid PRIMARY KEY REFERENCES partner_keys (id) ON DELETE CASCADE,
        tat timestamptz NOT NULL,
        refused integer NOT NULL DEFAULT 0,
        reported integer NOT NULL DEFAULT 0
    )""")

    # Partner pages (feed, OGC API) walk incidents in (updated_at, id) order, filter them by
    # place, status, type and date, and build GeoJSON from the shared columns. This partial index
    # holds exactly those columns of the rows that consent allows to share, so a page is an
    # index-only scan: rows that do not match cost an index entry, not a random table read.
    op.execute("""
    CREATE INDEX ix_incidents_partner ON incidents (updated_at, id)
        INCLUDE (location, verification_status, type, occurred_on, country, facility_id, admin1,
                 date_precision, affected_women, affected_men, affected_girls, affected_boys,
                 affected_unaccompanied, affected_total, severity, perpetrator, source_type)
        WHERE retracted_at IS NULL AND duplicate_of IS NULL
              AND consent IN ('share_anonymised', 'share_with_consent')""")

    op.execute("""
    CREATE FUNCTION incidents_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
            NEW.updated_at := clock_timestamp();
        END IF;
        RETURN NEW;
    END $$""")
    op.execute("""CREATE TRIGGER incidents_touch_updated_at BEFORE UPDATE ON incidents
                  FOR EACH ROW EXECUTE FUNCTION incidents_touch_updated_at()""")


def downgrade() -> None:
    op.execute("DROP INDEX ix_incidents_partner")
    op.execute("DROP TRIGGER incidents_touch_updated_at ON incidents")
    op.execute("DROP FUNCTION incidents_touch_updated_at()")
    op.execute("DROP TABLE partner_rate_limits")
    op.execute("DROP TABLE sharing_policies")
