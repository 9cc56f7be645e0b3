"""photos keep what their chain of custody needs: the received file's hash and capture time

Revision ID: 0007
Revises: 0006

A stored photo is a cleaned copy: its own sha256 names the file. `received_sha256` is the hash of
the bytes the phone sent (with their metadata), so that an original kept by the monitor can be
shown to be the one this copy was made from; `captured_at` is when the camera says the picture
was taken (EXIF DateTimeOriginal, with its UTC offset when the camera wrote one), as text since
cameras often give no time zone. Nothing else of the metadata (no position, no device serial)
is kept. Rows from before this revision have neither.
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    ALTER TABLE attachments
        ADD COLUMN received_sha256 char(64) CHECK (received_sha256 ~ '^[0-9a-f]{64}$'),
        ADD COLUMN captured_at varchar(32)""")


def downgrade() -> None:
    op.execute("ALTER TABLE attachments DROP COLUMN received_sha256, DROP COLUMN captured_at")
