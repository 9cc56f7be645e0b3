"""The job queue (procrastinate's schema), alerts for coordinators, webhooks for partners

Revision ID: 0013
Revises: 0012

procrastinate's own schema is kept as the release's file (migrations/procrastinate/), applied
here like any other change: a later procrastinate release that changes it comes with a revision
applying that release's migration files.

alert_rules: `kind` + JSON `params`, so new kinds (red flags, lower dimensions, protection
cases) plug in without a change of schema. notifications: one row per (person, rule, event):
the unique key is what makes a rule fire once per event, however often its job runs.
webhooks / webhook_deliveries: a partner's registered URL (secret sealed) and its ordered
outbox of changes, each with an idempotency id.

A statement trigger on `incidents` enqueues the webhook collection job in the transaction that
changed incidents (only while an active webhook exists, and only when none is waiting already).
"""
from pathlib import Path

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

PROCRASTINATE = Path(__file__).resolve().parents[1] / "procrastinate" / "schema-3.10.0.sql"

TABLES = """
CREATE TABLE alert_rules (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    user_id uuid REFERENCES users(id) ON DELETE CASCADE,
    kind text NOT NULL,
    params jsonb NOT NULL DEFAULT '{}',
    active boolean NOT NULL DEFAULT true,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_alert_rules_kind ON alert_rules (kind) WHERE active;
CREATE INDEX ix_alert_rules_organisation_id ON alert_rules (organisation_id);

CREATE TABLE alert_settings (
    user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    email_mode text NOT NULL DEFAULT 'immediate'
        CHECK (email_mode IN ('off', 'immediate', 'hourly', 'daily')),
    last_digest_at timestamptz
);

CREATE TABLE notifications (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rule_id uuid NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
    event_key text NOT NULL,
    kind text NOT NULL,
    facility_id uuid REFERENCES facilities(id),
    summary jsonb NOT NULL DEFAULT '{}',
    event_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    read_at timestamptz,
    emailed_at timestamptz,
    CONSTRAINT uq_notifications_user_rule_event UNIQUE (user_id, rule_id, event_key)
);
CREATE INDEX ix_notifications_user_id_created_at ON notifications (user_id, created_at DESC, id);
CREATE INDEX ix_notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX ix_notifications_unmailed ON notifications (user_id) WHERE emailed_at IS NULL;

CREATE TABLE webhooks (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    url text NOT NULL,
    secret text NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    disabled_reason text,
    synced_asof timestamptz NOT NULL,
    created_by text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_webhooks_organisation_id ON webhooks (organisation_id);

CREATE TABLE webhook_deliveries (
    seq bigserial PRIMARY KEY,
    webhook_id uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    idempotency_id uuid NOT NULL,
    event text NOT NULL,
    incident_id uuid NOT NULL,
    payload text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    first_attempt_at timestamptz,
    next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_attempt_at timestamptz,
    last_status integer,
    last_error text,
    delivered_at timestamptz,
    CONSTRAINT uq_webhook_deliveries_webhook_id_idempotency_id UNIQUE (webhook_id, idempotency_id)
);
CREATE INDEX ix_webhook_deliveries_pending ON webhook_deliveries (webhook_id, seq)
    WHERE status = 'pending';

CREATE FUNCTION nezarat_enqueue_webhook_collect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT FROM webhooks WHERE status = 'active')
       AND NOT EXISTS (SELECT FROM procrastinate_jobs
                       WHERE queueing_lock = 'webhooks.collect' AND status = 'todo') THEN
        INSERT INTO procrastinate_jobs (queue_name, task_name, priority, queueing_lock, args)
        VALUES ('default', 'webhooks.collect', 0, 'webhooks.collect', '{}')
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER incidents_webhook_collect AFTER INSERT OR UPDATE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION nezarat_enqueue_webhook_collect();
"""


def _run(sql: str) -> None:
    """As written (no bind parameters: the SQL has colons and percent signs of its own), on the
    migration's connection and in its transaction."""
    op.get_bind().connection.driver_connection.execute(sql)


def upgrade() -> None:
    _run(PROCRASTINATE.read_text())
    _run(TABLES)


def downgrade() -> None:
    _run("""
        DROP TRIGGER IF EXISTS incidents_webhook_collect ON incidents;
        DROP FUNCTION IF EXISTS nezarat_enqueue_webhook_collect();
        DROP TABLE IF EXISTS webhook_deliveries, webhooks, notifications, alert_settings,
                             alert_rules;
        DROP TABLE IF EXISTS procrastinate_periodic_defers, procrastinate_events,
                             procrastinate_jobs, procrastinate_workers CASCADE;
        DO $$ DECLARE f record; BEGIN
            FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                     JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate_%'
            LOOP EXECUTE 'DROP FUNCTION ' || f.sig || ' CASCADE'; END LOOP;
        END $$;
        DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
                            procrastinate_job_status CASCADE;
    """)
