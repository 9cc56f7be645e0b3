"""Migration 0015 on the demo data of its day. A database at the schema before the assessment
model (0014) holding what `flask demo load` wrote then (tests/data/demo_before_0015.sql.gz:
1,668 visits, 1,384 of them graded A-E by the old scorer, 2,113 incidents of the old taxonomy; tests/data/
README.md says how it was made) upgrades to head: every visit has its four dimensions marked
derived from the earlier form, red flags where its answers show them, and no A-E grade is left
anywhere in the API (map, facility panel, review queue, visits, partner outputs).

The database is a schema of its own inside the test database (search_path), so that the rows
of the other tests are never touched and dropping the schema cleans up."""
import gzip
import types
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from server import create_app
from server.assessment import DIMENSIONS
from server.core import schema
from server.core.db import db
from tests import factories
from tests.conftest import login
from tests.integration.map.test_facilities_layer import as_documented
from tests.integration.partner.helpers import export_csv, feed, ogc_items, partner

FIXTURE = Path(__file__).parents[2] / "data" / "demo_before_0015.sql.gz"
SCHEMA = "migration_0015_demo"
GRADES = {"A", "B", "C", "D", "E"}
DETAINING = ("holding_centre", "detention_centre")


def _load_fixture(connection) -> None:
    """The pg_dump --data-only --column-inserts file, without psql's own commands and with
    its tables in this schema."""
    sql = gzip.decompress(FIXTURE.read_bytes()).decode("utf-8")
    lines = [line for line in sql.splitlines() if not line.startswith("\\")
             and "set_config('search_path'" not in line]
    connection.exec_driver_sql("\n".join(lines).replace("INSERT INTO public.", "INSERT INTO "))


@pytest.fixture(scope="module")
def upgraded(database_url):
    url = make_url(database_url).update_query_dict(
        {"options": f"-csearch_path={SCHEMA},public"}).render_as_string(hide_password=False)
    admin = create_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        # Alembic looks for its table by visibility: this one hides the test database's own.
        connection.execute(text(f"CREATE TABLE {SCHEMA}.alembic_version (version_num "
                                "varchar(32) NOT NULL PRIMARY KEY)"))
    engine = create_engine(url)
    try:
        schema.upgrade(url, "0014")
        with engine.begin() as connection:
            before = connection.execute(text(
                "SELECT count(*) FILTER (WHERE grade IS NOT NULL), count(*) FROM visits")).one()
            assert before == (0, 0)
            _load_fixture(connection)
            graded = dict(connection.execute(text(
                "SELECT grade, count(*) FROM visits WHERE grade IS NOT NULL GROUP BY grade")).all())
        assert set(graded) <= GRADES and sum(graded.values()) > 1000  # the old demo was graded
        schema.upgrade(url, "head")
        yield types.SimpleNamespace(url=url, engine=engine)
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        admin.dispose()


def _rows(upgraded, sql: str, **params) -> list:
    with upgraded.engine.connect() as connection:
        return connection.execute(text(sql), params).mappings().all()


def test_every_visit_has_its_dimensions_marked_derived(upgraded):
    visits = _rows(upgraded, "SELECT dimensions, ring, scores FROM visits")
    assert len(visits) == 1668  # every visit of the fixture
    for visit in visits:
        dimensions = visit["dimensions"]
        assert dimensions["derived_from_earlier_form"] is True
        assert {dimensions[name]["source"] for name in DIMENSIONS} == \
            {"derived_from_earlier_form"}
        assert "grade" not in visit["scores"] and "score" not in visit["scores"]
    rings = {visit["ring"] for visit in visits}
    assert "red_flag" in rings and len(rings) >= 3


def test_red_flags_where_the_answers_show_them(upgraded):
    visits = _rows(upgraded, """
        SELECT v.id, v.observations AS obs, v.held_girls, v.held_boys, v.red_flags,
               f.kind, f.country
        FROM visits v JOIN facilities f ON f.id = v.facility_id""")
    seen = set()
    for visit in visits:
        obs = visit["obs"] or {}
        codes = {flag["code"] for flag in visit["red_flags"] if flag["source"] == "visit"}
        expected = set()
        if obs.get("use_of_force") == "no":  # "force used only when necessary: no"
            expected.add("force_or_torture")
        # The earlier form asked it only at holding and detention centres, "when a death is
        # known": an answer there shows a death; nowhere else was it asked.
        if visit["kind"] in DETAINING and obs.get("deaths_reported") not in (None, "unknown"):
            expected.add("death")
        elif "death" in codes:
            raise AssertionError(f"{visit['id']}: a death no answer shows")
        if (obs.get("solitary_over_15_days") or 0) > 0:
            expected.add("solitary_over_15_days")
        if visit["country"] != "AFG" and "no" in (obs.get("unhcr_access"),
                                                   obs.get("individual_assessment"),
                                                   obs.get("asylum_access")):
            expected.add("asylum_denied")
        if visit["kind"] in DETAINING and (visit["held_girls"] or 0) + (visit["held_boys"] or 0):
            expected.add("children_detained")
        assert expected <= codes, (visit["id"], expected - codes)
        if visit["country"] == "AFG":  # the deporting state's procedures are not the crossing's
            assert "asylum_denied" not in codes, visit["id"]
        seen |= codes
    assert {"force_or_torture", "asylum_denied", "children_detained"} <= seen


def test_old_incident_types_are_mapped_and_flagged(upgraded):
    old = ("extortion_property",)
    assert _rows(upgraded, "SELECT count(*) AS n FROM incidents WHERE type = ANY(:t)",
                 t=list(old))[0]["n"] == 0
    mapped = _rows(upgraded, """SELECT count(*) AS n FROM incidents
                                WHERE flags @> '[{"code": "type_mapped"}]'""")[0]["n"]
    assert mapped > 0
    states = {r["state_responsible"] for r in _rows(
        upgraded, "SELECT DISTINCT state_responsible FROM incidents")}
    assert {"iran", "pakistan", "unknown"} <= states


def _no_grade(value, where: str) -> None:
    """No key `grade` or `score`, and no A-E letter as a value, anywhere in a JSON answer."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert key not in ("grade", "score", "grades"), f"{where}: {key}"
            _no_grade(item, f"{where}.{key}")
    elif isinstance(value, list):
        for item in value:
            _no_grade(item, where)
    else:
        assert value not in GRADES, f"{where}: {value!r}"


def test_no_grade_anywhere_in_the_api(upgraded, tmp_path):
    app = create_app({"DATABASE_URL": upgraded.url, "TESTING": True, "SECRET_KEY": "test",
                      "STORAGE_DIR": str(tmp_path), "LOG_LEVEL": "WARNING"})
    [org] = _rows(upgraded, """SELECT organisation_id AS id FROM visits
                               GROUP BY organisation_id ORDER BY count(*) DESC LIMIT 1""")
    with app.app_context():
        coordinator = factories.user(db.session, role="coordinator",
                                     organisation=types.SimpleNamespace(id=org["id"]))
        _, headers = partner(db.session)
        db.session.commit()
        client = login(app.test_client(), coordinator)
        facilities = client.get("/api/map/facilities")
        assert facilities.status_code == 200
        layer = facilities.get_json()
        _no_grade(layer, "/api/map/facilities")
        features = layer["features"]
        assert len(features) == 17
        assert {f["properties"]["ring"] for f in features} - {"none"}, "rings show the visits"
        for feature in features:
            fid = feature["id"]
            for path in (f"/api/map/facilities/{fid}/history",
                         f"/api/map/facilities/{fid}/timeline"):
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.status_code)
                _no_grade(answer.get_json(), path)
                if path.endswith("/history"):  # the migrated panel, as the document says
                    as_documented(client, answer.get_json())
        # The review queue's lists (static/js/review/api.js asks these), then the rest.
        for path in ("/api/visits?review_status=submitted&limit=50",
                     "/api/visits?review_status=verified&limit=50",
                     "/api/incidents?verification_status=submitted&limit=50",
                     "/api/visits", "/api/facilities", "/api/incidents"):
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.get_data(as_text=True)[:300])
            _no_grade(answer.get_json(), path)
        listed = client.get("/api/visits").get_json()
        some = (listed.get("items") or listed.get("visits") or [])[:5]
        assert some, listed
        for visit in some:
            answer = client.get(f"/api/visits/{visit['id']}")
            assert answer.status_code == 200
            detail = answer.get_json()
            _no_grade(detail, "/api/visits/<id>")
            assert detail["dimensions"]["derived_from_earlier_form"] is True
        partner_features, _ = feed(client, headers, limit=1000)
        assert len(partner_features) > 100  # the verified incidents shared by default
        _no_grade(partner_features, "/api/partner/v1/incidents")
        assert {f["properties"]["state_responsible"] for f in partner_features} >= {
            "iran", "pakistan"}
        ogc_facilities = ogc_items(client, headers, "facilities")
        assert len(ogc_facilities) == 17
        _no_grade(ogc_facilities, "/ogc/collections/facilities")
        _, rows = export_csv(client, headers)
        assert len(rows) == len(partner_features)
        _no_grade(rows, "/api/partner/v1/exports/incidents.csv")
