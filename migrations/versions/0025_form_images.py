"""a published form's attachments may be JPEG, PNG and WebP images too: the images its question
and choice labels show (issue 14), re-encoded by the server before they are kept

Revision ID: 0025
Revises: 0024
"""
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE form_media DROP CONSTRAINT form_media_filename_check")
    op.execute(r"""
    ALTER TABLE form_media ADD CONSTRAINT form_media_filename_check
        CHECK (filename ~ '^[A-Za-z0-9_.-]{1,100}\.(csv|xml|geojson|jpg|jpeg|png|webp)$')
    """)


def downgrade() -> None:
    # NOT VALID: images already kept stay (nothing is deleted); new ones are refused.
    op.execute("ALTER TABLE form_media DROP CONSTRAINT form_media_filename_check")
    op.execute(r"""
    ALTER TABLE form_media ADD CONSTRAINT form_media_filename_check
        CHECK (filename ~ '^[A-Za-z0-9_.-]{1,100}\.(csv|xml|geojson)$') NOT VALID
    """)
