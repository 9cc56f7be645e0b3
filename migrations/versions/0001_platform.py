"""organisations and facilities

Revision ID: 0001
Revises:
"""
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("""
    CREATE TABLE organisations (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
        short_name text CHECK (length(short_name) <= 40),
        kind text NOT NULL DEFAULT 'coalition_member'
            CHECK (kind IN ('coalition_member', 'partner')),
        country char(3),
        demo boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_organisations_name UNIQUE (name)
    )""")
    op.execute("""
    CREATE TABLE facilities (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('border_crossing', 'reception_centre', 'transit_centre',
            'holding_centre', 'detention_centre', 'camp', 'other')),
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
        name_prs text CHECK (length(name_prs) <= 200),
        name_pus text CHECK (length(name_pus) <= 200),
        name_fas text CHECK (length(name_fas) <= 200),
        name_urd text CHECK (length(name_urd) <= 200),
        country char(3) NOT NULL CHECK (country ~ '^[A-Z]{3}$'),
        admin1 text CHECK (length(admin1) <= 200),
        location geometry(Point, 4326) NOT NULL,
        footprint geometry(Polygon, 4326) CHECK (footprint IS NULL OR ST_IsValid(footprint)),
        location_precision text CHECK (length(location_precision) <= 500),
        capacity integer CHECK (capacity >= 0),
        authority text CHECK (length(authority) <= 200),
        description text CHECK (length(description) <= 4000),
        source_url text CHECK (length(source_url) <= 1000),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        closed_reason text CHECK (length(closed_reason) <= 1000),
        demo boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE INDEX ix_facilities_location ON facilities USING gist (location)")
    op.execute("CREATE INDEX ix_facilities_name_id ON facilities (name, id)")
    op.execute("CREATE INDEX ix_facilities_country_kind ON facilities (country, kind)")
    op.execute("""CREATE INDEX ix_facilities_names_trgm ON facilities USING gin (
        (coalesce(name,'') || ' ' || coalesce(name_prs,'') || ' ' || coalesce(name_pus,'') || ' '
         || coalesce(name_fas,'') || ' ' || coalesce(name_urd,'')) gin_trgm_ops)""")


def downgrade() -> None:
    op.execute("DROP TABLE facilities")
    op.execute("DROP TABLE organisations")
