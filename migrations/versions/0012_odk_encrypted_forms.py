"""ODK encrypted forms: the server's form keys, and sealed submissions kept opaque

Revision ID: 0012
Revises: 0010

`form_keys`: the RSA key pair of each form the server decrypts on receipt (the visit form). The
public key is put into the XForm served to Collect; the private key is stored sealed
(AES-256-GCM under a key derived from DATA_KEY, else SECRET_KEY: server.core.sealing), never in
clear. Retired keys stay, to open records Collect encrypted before a rotation.

`sealed_submissions`: ODK-encrypted submissions of sealed forms (the protection-case form), whose
keys the server never holds. Only the manifest's fields and the encrypted files' names and
sha256 are kept here; the files are in the storage directory as they came.
"""
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE form_keys (
        id uuid PRIMARY KEY,
        form_id text NOT NULL CHECK (length(form_id) BETWEEN 1 AND 200),
        public_key text NOT NULL,
        private_key_sealed text NOT NULL CHECK (left(private_key_sealed, 3) = 'v1:'),
        fingerprint char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
    );
    CREATE UNIQUE INDEX uq_form_keys_active ON form_keys (form_id) WHERE retired_at IS NULL;
    CREATE INDEX ix_form_keys_form ON form_keys (form_id, created_at DESC);

    CREATE TABLE sealed_submissions (
        id uuid PRIMARY KEY,
        instance_id text NOT NULL CHECK (length(instance_id) BETWEEN 1 AND 200),
        form_id text NOT NULL,
        form_version text,
        organisation_id uuid NOT NULL REFERENCES organisations (id),
        monitor_id uuid REFERENCES users (id),
        device_token_id uuid REFERENCES device_tokens (id),
        manifest_sha256 char(64) NOT NULL,
        encrypted_key text NOT NULL,
        signature text,
        xml_file text NOT NULL,
        media jsonb NOT NULL DEFAULT '[]',
        files jsonb NOT NULL DEFAULT '{}',
        complete boolean NOT NULL DEFAULT false,
        received_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_sealed_submissions_instance UNIQUE (instance_id)
    );
    CREATE INDEX ix_sealed_submissions_org ON sealed_submissions
        (organisation_id, received_at DESC);
    """)


def downgrade() -> None:
    op.execute("DROP TABLE sealed_submissions; DROP TABLE form_keys;")
