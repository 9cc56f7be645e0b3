"""visits, incidents, attachments, their sensitive parts and submission records

Revision ID: 0004
Revises: 0003

What is mapped and counted lives in visits / incidents; narratives, notes and raw submissions
(anything that could identify a person) live in *_sensitive tables and submission_records, so
they can be gated, audited on every read and later sealed without reshaping the domain.
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INCIDENT_TYPES = ("forced_return", "pushback", "collective_expulsion", "arbitrary_arrest",
                  "family_separation", "physical_violence", "sgbv", "ill_treatment", "death",
                  "self_harm", "extortion_property", "denial_of_asylum", "child_detention",
                  "denial_of_basic_needs", "denial_of_legal_access", "monitor_obstruction",
                  "other")
REVIEW = "('submitted', 'has_issues', 'verified', 'rejected')"


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.execute(f"""
    CREATE TABLE visits (
        id uuid PRIMARY KEY,
        facility_id uuid NOT NULL REFERENCES facilities(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        monitor_id uuid REFERENCES users(id),
        device_token_id uuid,
        source text NOT NULL CHECK (source IN ('openrosa', 'json', 'web', 'demo')),
        form_id text, form_version text,
        started_at timestamptz NOT NULL,
        ended_at timestamptz NOT NULL CHECK (ended_at >= started_at),
        submitted_at timestamptz NOT NULL DEFAULT now(),
        position geometry(Point, 4326),
        position_accuracy_m real CHECK (position_accuracy_m >= 0),
        distance_m real,
        access text NOT NULL CHECK (access IN ('full', 'partial', 'denied')),
        access_denied_reason text CHECK (length(access_denied_reason) <= 2000),
        held_women integer CHECK (held_women >= 0),
        held_men integer CHECK (held_men >= 0),
        held_girls integer CHECK (held_girls >= 0),
        held_boys integer CHECK (held_boys >= 0),
        held_unaccompanied integer CHECK (held_unaccompanied >= 0),
        room_area_m2 real CHECK (room_area_m2 >= 0),
        observations jsonb NOT NULL DEFAULT '{{}}',
        scores jsonb NOT NULL DEFAULT '{{}}',
        grade text,
        flags jsonb NOT NULL DEFAULT '[]',
        review_status text NOT NULL DEFAULT 'submitted' CHECK (review_status IN {REVIEW}),
        review_comment text CHECK (length(review_comment) <= 4000),
        version integer NOT NULL DEFAULT 1,
        retracted_at timestamptz,
        retracted_reason text,
        demo boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE INDEX ix_visits_facility_started ON visits (facility_id, started_at DESC)")
    op.execute("CREATE INDEX ix_visits_org_review ON visits (organisation_id, review_status, submitted_at)")
    op.execute("CREATE INDEX ix_visits_monitor ON visits (monitor_id, submitted_at DESC)")
    op.execute("CREATE INDEX ix_visits_position ON visits USING gist (position)")
    op.execute("""
    CREATE TABLE visit_sensitive (
        visit_id uuid PRIMARY KEY REFERENCES visits(id) ON DELETE CASCADE,
        notes text CHECK (length(notes) <= 20000)
    )""")

    op.execute(f"""
    CREATE TABLE incidents (
        id uuid PRIMARY KEY,
        visit_id uuid REFERENCES visits(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        monitor_id uuid REFERENCES users(id),
        facility_id uuid REFERENCES facilities(id),
        type text NOT NULL CHECK (type IN {_in(INCIDENT_TYPES)}),
        occurred_on date NOT NULL,
        date_precision text NOT NULL DEFAULT 'exact'
            CHECK (date_precision IN ('exact', 'approximate', 'month')),
        location geometry(Point, 4326) NOT NULL,
        location_precision text NOT NULL
            CHECK (location_precision IN ('exact', 'facility', 'district', 'province')),
        country char(3),
        admin1 text,
        affected_women integer NOT NULL DEFAULT 0 CHECK (affected_women >= 0),
        affected_men integer NOT NULL DEFAULT 0 CHECK (affected_men >= 0),
        affected_girls integer NOT NULL DEFAULT 0 CHECK (affected_girls >= 0),
        affected_boys integer NOT NULL DEFAULT 0 CHECK (affected_boys >= 0),
        affected_unaccompanied integer NOT NULL DEFAULT 0 CHECK (affected_unaccompanied >= 0),
        affected_total integer GENERATED ALWAYS AS
            (affected_women + affected_men + affected_girls + affected_boys) STORED,
        profiles jsonb NOT NULL DEFAULT '{{}}',
        perpetrator text CHECK (length(perpetrator) <= 64),
        source_type text CHECK (length(source_type) <= 64),
        consent text NOT NULL DEFAULT 'internal_only' CHECK (length(consent) <= 64),
        severity smallint NOT NULL CHECK (severity BETWEEN 1 AND 5),
        follow_up boolean NOT NULL DEFAULT false,
        verification_status text NOT NULL DEFAULT 'submitted'
            CHECK (verification_status IN {REVIEW}),
        review_comment text CHECK (length(review_comment) <= 4000),
        duplicate_of uuid REFERENCES incidents(id),
        flags jsonb NOT NULL DEFAULT '[]',
        retracted_at timestamptz,
        retracted_reason text,
        demo boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE INDEX ix_incidents_location ON incidents USING gist (location)")
    op.execute("CREATE INDEX ix_incidents_occurred ON incidents (occurred_on)")
    op.execute("CREATE INDEX ix_incidents_updated_id ON incidents (updated_at, id)")
    op.execute("CREATE INDEX ix_incidents_visit ON incidents (visit_id)")
    op.execute("CREATE INDEX ix_incidents_facility ON incidents (facility_id, occurred_on DESC)")
    op.execute("CREATE INDEX ix_incidents_org_status ON incidents (organisation_id, verification_status, created_at)")
    op.execute("CREATE INDEX ix_incidents_duplicate_of ON incidents (duplicate_of) WHERE duplicate_of IS NOT NULL")
    op.execute("""
    CREATE TABLE incident_sensitive (
        incident_id uuid PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
        narrative text CHECK (length(narrative) <= 20000)
    )""")

    op.execute("""
    CREATE TABLE attachments (
        id uuid PRIMARY KEY,
        visit_id uuid REFERENCES visits(id) ON DELETE CASCADE,
        incident_id uuid REFERENCES incidents(id) ON DELETE CASCADE,
        filename text NOT NULL CHECK (length(filename) <= 255),
        sha256 char(64),
        media_type text,
        width integer, height integer, bytes integer,
        received_at timestamptz,
        demo boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((visit_id IS NULL) <> (incident_id IS NULL))
    )""")
    op.execute("CREATE INDEX ix_attachments_visit ON attachments (visit_id)")
    op.execute("CREATE INDEX ix_attachments_incident ON attachments (incident_id)")
    op.execute("CREATE INDEX ix_attachments_sha ON attachments (sha256)")

    # One row per received instance (OpenRosa instanceID or the JSON client's UUID): what makes
    # retries idempotent and keeps the history of edits (deprecatedID). The raw body can hold
    # narratives, so it is sensitive.
    op.execute("""
    CREATE TABLE submission_records (
        instance_id text PRIMARY KEY CHECK (length(instance_id) <= 100),
        visit_id uuid NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
        version integer NOT NULL,
        body_sha256 char(64) NOT NULL,
        body bytea,
        source text NOT NULL,
        deprecated_id text,
        superseded_by text,
        complete boolean NOT NULL DEFAULT true,
        received_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE INDEX ix_submission_records_visit ON submission_records (visit_id, version)")

    op.execute("""
    CREATE TABLE review_events (
        id bigserial PRIMARY KEY,
        target_type text NOT NULL CHECK (target_type IN ('visit', 'incident')),
        target_id uuid NOT NULL,
        action text NOT NULL,
        from_status text, to_status text,
        comment text CHECK (length(comment) <= 4000),
        actor_id uuid,
        at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE INDEX ix_review_events_target ON review_events (target_type, target_id, at)")


def downgrade() -> None:
    for table in ("review_events", "submission_records", "attachments", "incident_sensitive",
                  "incidents", "visit_sensitive", "visits"):
        op.execute(f"DROP TABLE {table}")
