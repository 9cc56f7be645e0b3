"""each person's calendar for the dates the pages show (issue 18): Gregorian or Solar Hijri;
NULL keeps their language's usual one

Revision ID: 0020
Revises: 0019
"""
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    ALTER TABLE users ADD COLUMN calendar text
        CHECK (calendar IS NULL OR calendar IN ('gregorian', 'solar_hijri'))
    """)


def downgrade() -> None:
    op.execute("ALTER TABLE users DROP COLUMN calendar")
