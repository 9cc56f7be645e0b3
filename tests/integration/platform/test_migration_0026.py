"""Migration 0026 (issue 15, "don't know" on the people affected): the counts become nullable
(NULL = not known) without touching existing rows (their zeros stay zeros: which of them were
forced cannot be known); the total is the sum of the known counts, NULL when none is known.
Down again, a count not known becomes 0, as the earlier schema had it."""
import uuid

from sqlalchemy import create_engine, text

from server.core import schema

ORG, OLD, NEW = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
INSERT = """
    INSERT INTO incidents (id, organisation_id, type, occurred_on, location, location_precision,
                           country, severity, demo{columns})
    VALUES (:id, :org, 'pushback', current_date, ST_SetSRID(ST_MakePoint(61.1, 34.5), 4326),
            'exact', 'AFG', 3, true{values})"""
COUNTS = ("SELECT affected_women, affected_men, affected_girls, affected_boys, "
          "affected_unaccompanied, affected_total FROM incidents WHERE id = :id")


def test_counts_become_nullable_and_back(database_url):
    engine = create_engine(database_url)
    try:
        schema.downgrade(database_url, "0025")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO organisations (id, name) VALUES (:id, 'Org 26')"),
                               {"id": ORG})
            connection.execute(text(INSERT.format(
                columns=", affected_men, affected_boys", values=", 4, 0")),
                {"id": OLD, "org": ORG})
        schema.upgrade(database_url, "head")
        with engine.begin() as connection:
            old_after = tuple(connection.execute(text(COUNTS), {"id": OLD}).one())
            connection.execute(text(INSERT.format(columns=", affected_girls", values=", NULL")),
                               {"id": NEW, "org": ORG})
            new_after = tuple(connection.execute(text(COUNTS), {"id": NEW}).one())
            connection.execute(text("UPDATE incidents SET affected_men = 2 WHERE id = :id"),
                               {"id": NEW})
            new_one = tuple(connection.execute(text(COUNTS), {"id": NEW}).one())
            index = connection.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_incidents_partner'")
            ).scalar()
        schema.downgrade(database_url, "0025")
        with engine.connect() as connection:
            new_down = tuple(connection.execute(text(COUNTS), {"id": NEW}).one())
            nullable = set(connection.execute(text(
                "SELECT is_nullable FROM information_schema.columns WHERE table_name = "
                "'incidents' AND column_name LIKE 'affected_%' AND column_name <> "
                "'affected_total'")).scalars())
        schema.upgrade(database_url, "head")
    finally:
        schema.upgrade(database_url, "head")
        with engine.begin() as connection:  # leave the shared test database as it was
            connection.execute(text("DELETE FROM incidents WHERE organisation_id = :o"),
                               {"o": ORG})
            connection.execute(text("DELETE FROM organisations WHERE id = :o"), {"o": ORG})
        engine.dispose()
    assert old_after == (0, 4, 0, 0, 0, 4)  # the earlier zeros stay zeros
    assert new_after == (None, None, None, None, None, None)  # nothing known: no total
    assert new_one == (None, 2, None, None, None, 2)  # at least 2
    assert "affected_total" in index  # the partner pages' index-only scan is kept
    assert new_down == (0, 2, 0, 0, 0, 2)
    assert nullable == {"NO"}
