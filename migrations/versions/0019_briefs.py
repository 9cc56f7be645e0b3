"""periodic briefs (issue 20 point 4): one row per generated brief, its PDF and HTML kept in
the content-addressed storage

Revision ID: 0019
Revises: 0018

A brief is generated once per (organisation, period, scope, audience, partner policy, language):
the unique key makes the scheduled job idempotent and a repeated request return the kept one.
"""
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE briefs (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id),
        period_kind text NOT NULL CHECK (period_kind IN ('month', 'quarter')),
        period_start date NOT NULL,
        period_end date NOT NULL CHECK (period_end > period_start),
        scope_kind text NOT NULL CHECK (scope_kind IN ('all', 'country', 'facility')),
        scope_value text NOT NULL DEFAULT '' CHECK (length(scope_value) <= 64),
        audience text NOT NULL CHECK (audience IN ('internal', 'publication')),
        partner_id uuid REFERENCES organisations (id),
        policy_version integer,
        language text NOT NULL CHECK (language IN ('en', 'fa', 'ps')),
        pdf_sha256 char(64) NOT NULL,
        html_sha256 char(64) NOT NULL,
        pdf_bytes integer NOT NULL,
        generated_by uuid REFERENCES users (id),
        scheduled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((audience = 'publication') = (partner_id IS NOT NULL))
    );
    CREATE UNIQUE INDEX uq_briefs_edition ON briefs (organisation_id, period_start, period_kind,
        scope_kind, scope_value, audience, coalesce(partner_id,
        '00000000-0000-0000-0000-000000000000'), language);
    CREATE INDEX ix_briefs_list ON briefs (organisation_id, created_at DESC, id DESC);

    -- Which briefs the scheduled job makes for an organisation.
    CREATE TABLE brief_schedules (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id),
        period_kind text NOT NULL CHECK (period_kind IN ('month', 'quarter')),
        scope_kind text NOT NULL CHECK (scope_kind IN ('all', 'country', 'facility')),
        scope_value text NOT NULL DEFAULT '' CHECK (length(scope_value) <= 64),
        audience text NOT NULL CHECK (audience IN ('internal', 'publication')),
        partner_id uuid REFERENCES organisations (id),
        languages text[] NOT NULL DEFAULT '{en}',
        created_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((audience = 'publication') = (partner_id IS NOT NULL))
    );
    CREATE INDEX ix_brief_schedules_org ON brief_schedules (organisation_id);
    """)


def downgrade() -> None:
    op.execute("DROP TABLE brief_schedules; DROP TABLE briefs;")
