"""protection cases, sealed end to end (issue 19): organisation sealing keys and their
passphrase-wrapped copies, cases (clear triage fields + sealed content), referrals

Revision ID: 0018
Revises: 0017

Nothing here holds a case's content in clear: `cases.envelope` and the photos are AES-256-GCM
ciphertext whose key (`wrapped_key`) is wrapped with the organisation's RSA-OAEP public key; the
private key exists here only wrapped under a key holder's passphrase (`sealing_key_copies`,
PBKDF2-SHA-256 >= 600,000 iterations, made and opened in the browser).
"""
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE sealing_keys (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id),
        public_key text NOT NULL CHECK (public_key ~ '^[A-Za-z0-9+/]+={0,2}$'
                                        AND length(public_key) < 2000),
        fingerprint char(64) NOT NULL,
        created_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        CONSTRAINT uq_sealing_keys_fingerprint UNIQUE (fingerprint)
    );
    CREATE UNIQUE INDEX uq_sealing_keys_active ON sealing_keys (organisation_id)
        WHERE retired_at IS NULL;

    -- One copy of the private key per key holder (holder_id NULL: the recovery sheet's copy),
    -- each wrapped in the browser under that holder's passphrase: opaque here.
    CREATE TABLE sealing_key_copies (
        id uuid PRIMARY KEY,
        key_id uuid NOT NULL REFERENCES sealing_keys (id),
        holder_id uuid REFERENCES users (id),
        wrapped text NOT NULL CHECK (length(wrapped) BETWEEN 20 AND 20000),
        created_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
    );
    CREATE UNIQUE INDEX uq_sealing_key_copies_holder ON sealing_key_copies
        (key_id, coalesce(holder_id, '00000000-0000-0000-0000-000000000000'::uuid))
        WHERE revoked_at IS NULL;
    CREATE INDEX ix_sealing_key_copies_holder ON sealing_key_copies (holder_id)
        WHERE revoked_at IS NULL;

    CREATE TABLE cases (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id),
        sealing_key_id uuid NOT NULL REFERENCES sealing_keys (id),
        source text NOT NULL CHECK (source IN ('app', 'odk')),
        form_id text NOT NULL,
        form_version text,
        facility_id uuid REFERENCES facilities (id),
        occurred_on date,
        urgency text CHECK (urgency IN ('immediate', 'within_72h', 'routine')),
        status text NOT NULL DEFAULT 'new'
            CHECK (status IN ('new', 'assessed', 'referred', 'closed')),
        due_at timestamptz,
        assessed_at timestamptz,
        referred_at timestamptz,
        closed_at timestamptz,
        assigned_to uuid REFERENCES users (id),
        monitor_id uuid REFERENCES users (id),
        device_token_id uuid REFERENCES device_tokens (id),
        wrapped_key text NOT NULL,
        envelope text,
        body_sha256 char(64),
        sealed_submission_id uuid REFERENCES sealed_submissions (id),
        photo_names jsonb NOT NULL DEFAULT '[]',
        photos jsonb NOT NULL DEFAULT '{}',
        received_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_cases_content CHECK ((source = 'app') = (envelope IS NOT NULL)
                                           AND (source = 'odk') = (sealed_submission_id IS NOT NULL))
    );
    CREATE INDEX ix_cases_queue ON cases (organisation_id, status, due_at);
    CREATE INDEX ix_cases_facility ON cases (organisation_id, facility_id, occurred_on);

    -- Who referred which case to whom, and when; the content travels only as the record key
    -- re-wrapped in the referring key holder's browser for the receiving organisation's key.
    CREATE TABLE case_referrals (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES cases (id),
        from_organisation_id uuid NOT NULL REFERENCES organisations (id),
        to_organisation_id uuid NOT NULL REFERENCES organisations (id),
        to_key_id uuid NOT NULL REFERENCES sealing_keys (id),
        wrapped_key text NOT NULL,
        wrapped_signature text,
        referred_by uuid NOT NULL REFERENCES users (id),
        referred_at timestamptz NOT NULL DEFAULT now(),
        acknowledged_at timestamptz,
        acknowledged_by uuid REFERENCES users (id),
        outcome text CHECK (outcome IN ('protection_provided', 'relocated', 'legal_aid',
                                        'not_reachable', 'declined', 'not_eligible', 'other')),
        outcome_at timestamptz,
        outcome_by uuid REFERENCES users (id),
        CONSTRAINT uq_case_referrals_to UNIQUE (case_id, to_organisation_id)
    );
    CREATE INDEX ix_case_referrals_to ON case_referrals (to_organisation_id, referred_at DESC);
    """)


def downgrade() -> None:
    op.execute("DROP TABLE case_referrals; DROP TABLE cases; DROP TABLE sealing_key_copies; "
               "DROP TABLE sealing_keys;")
