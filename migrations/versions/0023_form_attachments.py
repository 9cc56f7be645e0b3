"""a published form's attachments may be XML and GeoJSON files as well as CSV (issue 14:
select_one_from_file of an .xml or .geojson file, xml-external), read by Collect and the app

Revision ID: 0023
Revises: 0022
"""
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE form_media DROP CONSTRAINT form_media_filename_check")
    op.execute(r"""
    ALTER TABLE form_media ADD CONSTRAINT form_media_filename_check
        CHECK (filename ~ '^[A-Za-z0-9_.-]{1,100}\.(csv|xml|geojson)$')
    """)


def downgrade() -> None:
    # NOT VALID: attachments already kept stay (nothing is deleted); new ones are CSV only.
    op.execute("ALTER TABLE form_media DROP CONSTRAINT form_media_filename_check")
    op.execute(r"""
    ALTER TABLE form_media ADD CONSTRAINT form_media_filename_check
        CHECK (filename ~ '^[A-Za-z0-9_.-]{1,100}\.csv$') NOT VALID
    """)
