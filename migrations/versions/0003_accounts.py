"""accounts: users, server-side sessions, two-factor recovery codes, password-reset links,
device tokens, partner keys, sign-in throttling; the audit chain head

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE users (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id),
        email text NOT NULL CHECK (email = lower(btrim(email)) AND length(email) BETWEEN 3 AND 254
                                   AND position('@' IN email) > 1),
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
        role text NOT NULL CHECK (role IN ('admin', 'coordinator', 'monitor')),
        password_hash text,
        password_changed_at timestamptz,
        active boolean NOT NULL DEFAULT true,
        totp_secret text,
        totp_enabled_at timestamptz,
        totp_last_step bigint,
        last_sign_in_at timestamptz,
        demo boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_users_email UNIQUE (email),
        CONSTRAINT ck_users_totp_secret CHECK (totp_enabled_at IS NULL OR totp_secret IS NOT NULL)
    )""")
    op.execute("CREATE INDEX ix_users_organisation ON users (organisation_id, email)")

    # One row per browser session; the cookie holds a random token, the table its sha256.
    op.execute("""
    CREATE TABLE user_sessions (
        id char(64) PRIMARY KEY,
        user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        authenticated_at timestamptz,
        second_factor_at timestamptz,
        address varchar(64),
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
    )""")
    op.execute("CREATE INDEX ix_user_sessions_user ON user_sessions (user_id)")
    op.execute("CREATE INDEX ix_user_sessions_expires ON user_sessions (expires_at)")

    op.execute("""
    CREATE TABLE recovery_codes (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        code_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz,
        CONSTRAINT uq_recovery_codes_hash UNIQUE (code_hash)
    )""")
    op.execute("CREATE INDEX ix_recovery_codes_user ON recovery_codes (user_id)")

    op.execute("""
    CREATE TABLE password_resets (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        CONSTRAINT uq_password_resets_token UNIQUE (token_hash)
    )""")
    op.execute("CREATE INDEX ix_password_resets_user ON password_resets (user_id)")

    op.execute("""
    CREATE TABLE device_tokens (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        organisation_id uuid NOT NULL REFERENCES organisations (id),
        label text NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 200),
        token_hash char(64) NOT NULL,
        hint varchar(16) NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_by uuid,
        last_used_at timestamptz,
        demo boolean NOT NULL DEFAULT false,
        CONSTRAINT uq_device_tokens_hash UNIQUE (token_hash)
    )""")
    op.execute("CREATE INDEX ix_device_tokens_org ON device_tokens (organisation_id, created_at)")
    op.execute("CREATE INDEX ix_device_tokens_user ON device_tokens (user_id)")

    op.execute("""
    CREATE TABLE partner_keys (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id),
        label text NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 200),
        key_hash char(64) NOT NULL,
        hint varchar(16) NOT NULL,
        scopes text[] NOT NULL CHECK (cardinality(scopes) >= 1),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_by uuid,
        last_used_at timestamptz,
        demo boolean NOT NULL DEFAULT false,
        CONSTRAINT uq_partner_keys_hash UNIQUE (key_hash)
    )""")
    op.execute("CREATE INDEX ix_partner_keys_org ON partner_keys (organisation_id, created_at)")

    # Failed sign-ins per account and per address; keys are sha256 of 'account:<email>' or
    # 'address:<ip>' so mistyped addresses are not kept in clear.
    op.execute("""
    CREATE TABLE sign_in_throttle (
        key char(64) PRIMARY KEY,
        failures integer NOT NULL DEFAULT 0,
        last_failure_at timestamptz NOT NULL DEFAULT now(),
        blocked_until timestamptz
    )""")

    # The audit chain's last entry, kept by a trigger, so that removing entries from the end of
    # the log (which leaves a valid chain) is still detected by `flask audit verify`.
    op.execute("""
    CREATE TABLE audit_head (
        id smallint PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL,
        hash varchar(64) NOT NULL
    )""")
    op.execute("""
    INSERT INTO audit_head (id, seq, hash)
    SELECT 1, seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1""")
    op.execute("""
    CREATE FUNCTION audit_head_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO audit_head (id, seq, hash) VALUES (1, NEW.seq, NEW.hash)
        ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash;
        RETURN NEW;
    END $$""")
    op.execute("""CREATE TRIGGER audit_head_follow AFTER INSERT ON audit_log
                  FOR EACH ROW EXECUTE FUNCTION audit_head_follow()""")
    # Only the trigger above may move the head (pg_trigger_depth() > 1 inside it).
    op.execute("""
    CREATE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF pg_trigger_depth() < 2 THEN
            RAISE EXCEPTION 'audit_head is maintained by the audit_log trigger only';
        END IF;
        RETURN COALESCE(NEW, OLD);
    END $$""")
    op.execute("""CREATE TRIGGER audit_head_guard BEFORE UPDATE OR DELETE ON audit_head
                  FOR EACH ROW EXECUTE FUNCTION audit_head_guard()""")
    op.execute("""CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""")


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER audit_head_follow ON audit_log")
    op.execute("DROP TABLE audit_head")
    op.execute("DROP FUNCTION audit_head_guard()")
    op.execute("DROP FUNCTION audit_head_follow()")
    for table in ("sign_in_throttle", "partner_keys", "device_tokens", "password_resets",
                  "recovery_codes", "user_sessions", "users"):
        op.execute(f"DROP TABLE {table}")
