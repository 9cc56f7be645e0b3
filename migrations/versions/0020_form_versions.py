"""forms published in the browser (issue 14 point 4): each uploaded XLSForm version with what
pyxform made of it, its media files, and the answers of a visit no field of the domain takes

Revision ID: 0020
Revises: 0019

A version is uploaded as a draft (converted, validated, checked for the app, previewed), then
published: Collect's formList and the app's index offer the organisation's published versions.
Publishing a new version retires the one before; a retired version is no longer offered, but
the reports phones made with it are still received and read with its own field mapping.
"""
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE form_versions (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id),
        form_id text NOT NULL CHECK (form_id ~ '^[A-Za-z_][A-Za-z0-9_.-]{0,99}$'),
        version text NOT NULL CHECK (length(version) BETWEEN 1 AND 100),
        title text NOT NULL CHECK (length(title) <= 300),
        xlsform_name text NOT NULL CHECK (length(xlsform_name) <= 255),
        xlsform bytea NOT NULL,
        xml bytea NOT NULL,
        survey_json bytea NOT NULL,
        field_map jsonb NOT NULL,
        media_names text[] NOT NULL DEFAULT '{}',
        app_problems jsonb NOT NULL DEFAULT '[]',
        in_app boolean NOT NULL,
        status text NOT NULL DEFAULT 'draft'
            CHECK (status IN ('draft', 'published', 'retired')),
        uploaded_by uuid REFERENCES users (id),
        uploaded_at timestamptz NOT NULL DEFAULT now(),
        published_by uuid REFERENCES users (id),
        published_at timestamptz,
        retired_by uuid REFERENCES users (id),
        retired_at timestamptz,
        UNIQUE (organisation_id, form_id, version),
        CHECK ((status = 'draft') = (published_at IS NULL))
    );
    -- At most one published version of a form in an organisation: the one phones get.
    CREATE UNIQUE INDEX uq_form_versions_published ON form_versions (organisation_id, form_id)
        WHERE status = 'published';
    CREATE INDEX ix_form_versions_list ON form_versions (organisation_id, uploaded_at DESC);

    -- Media files a version's XForm names (jr://file-csv/...), uploaded with it.
    CREATE TABLE form_media (
        form_version_id uuid NOT NULL REFERENCES form_versions (id) ON DELETE CASCADE,
        filename text NOT NULL CHECK (filename ~ '^[A-Za-z0-9_.-]{1,100}\\.csv$'),
        data bytea NOT NULL,
        PRIMARY KEY (form_version_id, filename)
    );

    -- The answers of a report that no field of the domain takes (forms.fields), by element
    -- path: nothing a form asks is lost. Free text of unknown meaning: gated like the notes.
    ALTER TABLE visit_sensitive ADD COLUMN answers jsonb;
    """)


def downgrade() -> None:
    op.execute("""
    ALTER TABLE visit_sensitive DROP COLUMN answers;
    DROP TABLE form_media;
    DROP TABLE form_versions;
    """)
