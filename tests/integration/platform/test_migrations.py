"""The schema comes only from migrations: they go up from empty and back down to base."""
from sqlalchemy import create_engine, inspect, text

from server.core import schema


def _tables(url):
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"spatial_ref_sys"}
    finally:
        engine.dispose()


def test_downgrade_to_base_and_upgrade_again(database_url):
    schema.downgrade(database_url, "base")
    assert _tables(database_url) <= {"alembic_version"}
    schema.upgrade(database_url, "head")
    tables = _tables(database_url)
    assert {"organisations", "facilities", "audit_log"} <= tables
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert schema.current_revisions(connection) == schema.head_revisions(database_url)
        index = connection.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_facilities_location'")).scalar()
    engine.dispose()
    assert "gist" in index.lower()
