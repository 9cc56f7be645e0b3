"""Migration 0015 (the assessment model): a database of the earlier schema, with visits and incidents of the earlier
form, upgrades to the assessment model: every visit has its four dimensions marked derived
from the earlier form, red flags where its answers show them, no A-E grade anywhere."""
import json
import uuid

from sqlalchemy import create_engine, text

from server.assessment import DIMENSIONS
from server.core import schema

ORG, IRN_FAC, AFG_FAC = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
SOLITARY, LIVING, CROSSING, DENIED = (uuid.uuid4() for _ in range(4))
OLD_VISIT = """
    INSERT INTO visits (id, facility_id, organisation_id, source, started_at, ended_at, access,
                        access_denied_reason, held_women, held_men, held_girls, held_boys,
                        held_unaccompanied, room_area_m2, observations, scores, grade, demo)
    VALUES (:id, :facility, :org, 'demo', now() - interval '3 days', now() - interval '3 days',
            :access, :reason, 10, 60, :girls, 0, 0, 300, CAST(:obs AS jsonb),
            CAST('{"grade": "B", "score": 0.9, "areas": {}}' AS jsonb), :grade, true)"""


def _seed(connection) -> None:
    connection.execute(text("INSERT INTO organisations (id, name) VALUES (:id, 'Old org')"),
                       {"id": ORG})
    for fid, kind, country, lon in ((IRN_FAC, "detention_centre", "IRN", 59.6),
                                    (AFG_FAC, "border_crossing", "AFG", 61.1)):
        connection.execute(text("""
            INSERT INTO facilities (id, kind, name, country, location, capacity)
            VALUES (:id, :kind, :name, :country, ST_SetSRID(ST_MakePoint(:lon, 34.5), 4326),
                    100)"""), {"id": fid, "kind": kind, "name": f"Old {kind}",
                               "country": country, "lon": lon})
    living = {"sleeping_space": 2.0, "water_quantity": 20, "toilet_safety": "yes",
              "meals_regular": "yes", "light_air": "yes", "medical_access": "yes",
              "food_energy": 2300}
    visits = (
        (SOLITARY, IRN_FAC, "full", None, 4, {**living, "solitary_over_15_days": 3,
                                              "unhcr_access": "no", "lawyer_access": "no"}, "C"),
        (LIVING, IRN_FAC, "partial", "Only the living areas", 0, living, "B"),
        (CROSSING, AFG_FAC, "full", None, 0, {"rights_information": "no", "unhcr_access": "no",
                                             "individual_assessment": "no",
                                             "toilet_safety": "yes"}, "B"),
        (DENIED, IRN_FAC, "denied", "Refused", 0, {}, None))
    for vid, fid, access, reason, girls, obs, grade in visits:
        connection.execute(text(OLD_VISIT), {"id": vid, "facility": fid, "org": ORG,
                                             "access": access, "reason": reason,
                                             "girls": girls, "obs": json.dumps(obs),
                                             "grade": grade})
    connection.execute(text("""
        INSERT INTO incidents (id, visit_id, organisation_id, facility_id, type, occurred_on,
                               location, location_precision, country, severity, demo)
        VALUES (:id, :visit, :org, :fac, 'extortion_property', current_date,
                ST_SetSRID(ST_MakePoint(61.1, 34.5), 4326), 'facility', 'AFG', 3, true)"""),
        {"id": uuid.uuid4(), "visit": CROSSING, "org": ORG, "fac": AFG_FAC})


def test_earlier_visits_are_assessed_once_and_marked_derived(database_url):
    engine = create_engine(database_url)
    try:
        schema.downgrade(database_url, "0014")
        with engine.begin() as connection:
            _seed(connection)
        schema.upgrade(database_url, "head")
        with engine.connect() as connection:
            rows = {r.id: r for r in connection.execute(text(
                "SELECT id, dimensions, red_flags, ring, scores FROM visits"))}
            columns = set(connection.execute(text(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'visits'")).scalars())
            incident = connection.execute(text(
                "SELECT type, state_responsible, flags FROM incidents")).one()
    finally:
        with engine.begin() as connection:  # leave the shared test database as it was
            connection.execute(text("DELETE FROM incidents WHERE organisation_id = :o"),
                               {"o": ORG})
            connection.execute(text("DELETE FROM visits WHERE organisation_id = :o"), {"o": ORG})
            connection.execute(text("DELETE FROM facilities WHERE id IN (:a, :b)"),
                               {"a": IRN_FAC, "b": AFG_FAC})
            connection.execute(text("DELETE FROM organisations WHERE id = :o"), {"o": ORG})
        engine.dispose()
    assert "grade" not in columns
    for row in rows.values():
        assert row.dimensions["derived_from_earlier_form"] is True
        assert {row.dimensions[d]["source"] for d in DIMENSIONS} == {"derived_from_earlier_form"}
        assert "grade" not in row.scores and "score" not in row.scores
        assert not any(letter in json.dumps(row.dimensions) for letter in ('"B"', '"C"'))
    flags = {f["code"] for f in rows[SOLITARY].red_flags}
    assert flags == {"solitary_over_15_days", "children_detained", "asylum_denied"}
    assert rows[SOLITARY].ring == "red_flag"
    assert rows[SOLITARY].dimensions["legal_protection"]["rating"] == 1
    assert rows[LIVING].red_flags == [] and rows[LIVING].ring == "insufficient"
    assert rows[CROSSING].red_flags == []  # Iran's procedures are not the Afghan crossing's
    assert rows[CROSSING].dimensions["state"] == "de_facto_authorities"
    assert rows[DENIED].ring == "none"
    assert incident.type == "extortion" and incident.state_responsible == "unknown"
    assert incident.flags[0]["code"] == "type_mapped"
