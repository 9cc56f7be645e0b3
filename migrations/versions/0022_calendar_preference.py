"""each person's calendar for the dates the pages show (issue 18): Gregorian or Solar Hijri;
NULL keeps their language's usual one

Revision ID: 0022
Revises: 0021
"""
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    ALTER TABLE users ADD COLUMN calendar text
        CHECK (calendar IS NULL OR calendar IN ('gregorian', 'solar_hijri'))
    """)


def downgrade() -> None:
    op.execute("ALTER TABLE users DROP COLUMN calendar")
