"""Issue 15, "don't know" on the incident's people-affected counts: a count the monitor does not
know is stored as NULL (not known), never as 0 (nobody); the total is the sum of the known
counts ("at least"), NULL when none is known. Through both doors."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tests.integration.submissions.test_json_api import report
from tests.integration.submissions.test_openrosa import post
from tests.openrosa_samples import incident_values, submission_xml, visit_values

COUNTS = ("affected_women, affected_men, affected_girls, affected_boys, "
          "affected_unaccompanied, affected_total")


def _incident(type_, affected):
    return {"type": type_, "occurred_on": date.today().isoformat(),
            "location_precision": "facility", "severity": 3, "affected": affected}


def test_the_json_door_stores_unknown_counts_as_null(client, session, field):
    _, _, facility, auth = field
    body = report(facility.id, incidents=[
        _incident("pushback", {"women": None, "men": 3}),   # women: null = don't know
        _incident("extortion", {}),                            # nothing known
        _incident("arbitrary_arrest", {"women": 0, "men": 0, "girls": 0, "boys": 0,
                                       "unaccompanied": 0})])  # known: nobody
    r = client.post("/api/submissions", json=body, headers=auth)
    assert r.status_code == 201, r.get_json()
    rows = {row.type: tuple(row)[1:] for row in session.execute(text(
        f"SELECT type, {COUNTS} FROM incidents WHERE visit_id = :id"), {"id": body["id"]})}
    assert rows["pushback"] == (None, 3, None, None, None, 3)  # at least 3
    assert rows["extortion"] == (None, None, None, None, None, None)
    assert rows["arbitrary_arrest"] == (0, 0, 0, 0, 0, 0)
    # and the API gives null back, not 0
    incident_id = session.execute(text(
        "SELECT id FROM incidents WHERE visit_id = :id AND type = 'extortion'"),
        {"id": body["id"]}).scalar()
    detail = client.get(f"/api/incidents/{incident_id}", headers=auth)
    assert detail.status_code == 200, detail.get_json()
    assert detail.get_json()["affected"] == {"women": None, "men": None, "girls": None,
                                             "boys": None, "unaccompanied": None, "total": None}


def test_the_json_door_still_refuses_a_negative_or_fractional_count(client, field):
    _, _, facility, auth = field
    for bad in (-1, 2.5, "3"):
        body = report(facility.id, incidents=[_incident("pushback", {"men": bad})])
        r = client.post("/api/submissions", json=body, headers=auth)
        assert r.status_code == 422 or r.status_code == 400, (bad, r.status_code)


def test_the_openrosa_door_stores_blank_counts_as_null(odk):
    """Collect sends a count left blank ("don't know") as an empty element."""
    known = incident_values(women=2, men=5)  # girls 0, boys 1 in the sample
    unknown = {**incident_values(), "affected/women": "", "affected/men": "",
               "affected/girls": "", "affected/boys": "", "affected/unaccompanied": ""}
    partly = {**incident_values(men=4), "affected/women": "", "affected/girls": ""}
    xml, _ = submission_xml(visit_values(odk.ids.facility), incidents=[known, unknown, partly])
    r = post(odk, xml)
    assert r.status_code == 201, r.text
    assert odk.count("SELECT count(*) FROM incidents WHERE affected_women = 2 "
                     "AND affected_total = 8") == 1
    assert odk.count("SELECT count(*) FROM incidents WHERE num_nonnulls(affected_women, "
                     "affected_men, affected_girls, affected_boys, affected_unaccompanied, "
                     "affected_total) = 0") == 1
    assert odk.count("SELECT count(*) FROM incidents WHERE affected_women IS NULL "
                     "AND affected_girls IS NULL AND affected_men = 4 AND affected_boys = 1 "
                     "AND affected_total = 5") == 1
