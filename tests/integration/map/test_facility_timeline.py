"""Facility conditions over time (server.assessment.timeline): the data and the SVG agree with
the ratings and red flags stored on the visits; every text of the SVG is escaped; coordinators
only, other organisations' visits in the coalition view."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import text

from server.assessment import assess_visit
from server.assessment.assess import stored_dimensions
from server.assessment.timeline import timeline_data, timeline_svg
from server.assessment.vocabulary import DIMENSIONS
from tests import factories

from .conftest import add_visit, now

SVG_NS = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>&amp;'
SCORES = {"facility_group": "detention", "areas": {"a": {"indicators": {
    "ind_one": {"result": "not_met", "dimension": "material_conditions", "value": 1,
                "critical": False, "standard": "x", "derived": False},
    "ind_two": {"result": "met", "dimension": "material_conditions", "value": 1,
                "critical": False, "standard": "x", "derived": False}}, "unobserved": []}}}


def _assessed(ratings: dict, observations: dict | None = None, headcounts=None) -> dict:
    monitor = {name: ({"rating": r, "coverage": "full", "evidence": ["observed", "staff_statement"]}
                      if r else {"rating": "insufficient_evidence"})
               for name, r in ratings.items()}
    return assess_visit(SCORES, access="full", country="IRN", headcounts=headcounts or {},
                        observations=observations or {}, monitor=monitor)


def _visit(session, facility, organisation, days_ago: int, ratings: dict, **kw):
    assessment = _assessed(ratings, **kw)
    return add_visit(session, facility, organisation, now() - timedelta(days=days_ago),
                     dimensions=stored_dimensions(assessment),
                     red_flags=assessment["red_flags"], ring=assessment["ring"],
                     scores=SCORES)


@pytest.fixture()
def demo_like(session, orgs):
    """A detention centre visited five times by two organisations, a death at the third visit,
    insufficient evidence on legal safeguards twice, one rejected visit that must not count."""
    fac = factories.facility(session, name=HOSTILE, kind="detention_centre", country="IRN")
    own, other = orgs[0], orgs[1]
    session.execute(text("UPDATE organisations SET name = :n WHERE id = :id"),
                    {"n": "Org </title><script>x</script>", "id": other.id})
    plan = [(400, own, (3, None, 2, 3), None), (300, other, (3, 2, 2, 4), None),
            (200, own, (1, 2, 1, 2), {"deaths_known": 1}), (100, other, (2, None, 2, 3), None),
            (10, own, (4, 3, 3, 4), None)]
    for days, org, ratings, obs in plan:
        _visit(session, fac, org, days, dict(zip(DIMENSIONS, ratings)), observations=obs)
    add_visit(session, fac, own, now() - timedelta(days=5), review_status="rejected",
              dimensions=stored_dimensions(_assessed(dict(zip(DIMENSIONS, (1, 1, 1, 1))))),
              ring="1")
    return fac, own, other


def _stored(session, facility_id) -> list:
    return session.execute(text("""
        SELECT dimensions, red_flags FROM visits WHERE facility_id = :id
          AND review_status <> 'rejected' AND retracted_at IS NULL ORDER BY started_at"""),
        {"id": facility_id}).all()


def test_timeline_data_matches_the_database(session, demo_like):
    fac, own, other = demo_like
    data = timeline_data(session, fac.id, organisation_id=own.id)
    stored = _stored(session, fac.id)
    assert len(data["visits"]) == 5 == len(stored)
    assert [row["dimension"] for row in data["rows"]] == list(DIMENSIONS)
    for row in data["rows"]:
        for cell, (dims, _) in zip(row["cells"], stored):
            assert cell["rating"] == dims[row["dimension"]]["rating"]
            assert cell["insufficient"] is (dims[row["dimension"]]["rating"] is None)
            assert cell["evidence"] == dims[row["dimension"]]["evidence"]
    for visit, (_, flags) in zip(data["visits"], stored):
        assert sorted(f["code"] for f in visit["red_flags"]) == sorted(f["code"] for f in flags)
    assert [bool(v["red_flags"]) for v in data["visits"]] == [False, False, True, False, False]
    death = data["rows"][0]["cells"][2]
    assert death["rating"] == 1 and death["red_flag"] is True
    assert data["rows"][1]["cells"][1]["red_flag"] is False
    # own visits carry their id and the flags' counts; the coalition's only the codes
    assert [v["own"] for v in data["visits"]] == [True, False, True, False, True]
    assert "id" in data["visits"][0] and "id" not in data["visits"][1]
    assert data["visits"][2]["red_flags"][0]["count"] == 1
    assert data["visits"][1]["organisation"].startswith("Org </title>")
    assert all("monitor_id" not in v for v in data["visits"])
    assert data["below_standard"][0]["code"] == "ind_one"
    assert data["below_standard"][0]["not_met"] == 5 and data["below_standard"][0]["observed"] == 5
    later = timeline_data(session, fac.id, organisation_id=own.id,
                          since=(now() - timedelta(days=150)).date())
    assert len(later["visits"]) == 2
    assert timeline_data(session, uuid.uuid4(), organisation_id=own.id) is None


def test_svg_draws_the_cells_and_flags_and_escapes_every_text(session, demo_like):
    fac, own, _ = demo_like
    data = timeline_data(session, fac.id, organisation_id=own.id)
    svg = timeline_svg(data, {"dimensions": {"safety_treatment": "Safety <b>"}})
    assert "<script" not in svg and "<img" not in svg and "</title><script" not in svg
    root = ElementTree.fromstring(svg)  # well-formed: nothing broke out of a text
    assert root.get("role") == "img"
    assert root.find(f"{SVG_NS}title").text.endswith(HOSTILE)
    assert root.find(f"{SVG_NS}desc").text
    cells = root.findall(f".//{SVG_NS}rect[@class='nz-cell']")
    assert len(cells) == 4 * 5
    stored = _stored(session, fac.id)
    for cell in cells:
        index = sorted({c.get("data-date") for c in cells}).index(cell.get("data-date"))
        rating = stored[index][0][cell.get("data-dimension")]["rating"]
        assert cell.get("data-rating") == ("insufficient" if rating is None else str(rating))
        if rating is None:
            assert cell.get("fill").startswith("url(#")  # hatched, not colour alone
    flags = root.findall(f".//{SVG_NS}g[@class='nz-flag']")
    assert [f.get("data-flags") for f in flags] == ["death"]
    assert len(root.findall(f".//{SVG_NS}polygon[@class='nz-cell-flag']")) == 1
    tips = [g.find(f"{SVG_NS}title").text
            for g in root.findall(f".//{SVG_NS}g[@class='nz-cell-group']")]
    assert any("Org </title><script>x</script>" in t for t in tips)
    assert any("observed, staff_statement" in t for t in tips)
    assert root.findall(f".//{SVG_NS}text[@class='nz-below']")[0].get("data-code") == "ind_one"


def test_svg_is_mirrored_right_to_left(session, demo_like):
    fac, own, _ = demo_like
    data = timeline_data(session, fac.id, organisation_id=own.id)
    ltr = ElementTree.fromstring(timeline_svg(data, {}))
    rtl = ElementTree.fromstring(timeline_svg(data, {}, direction="rtl"))
    width = float(ltr.get("width"))
    assert rtl.get("direction") == "rtl"
    first_l = ltr.findall(f".//{SVG_NS}rect[@class='nz-cell']")[0]
    first_r = rtl.findall(f".//{SVG_NS}rect[@class='nz-cell']")[0]
    assert float(first_r.get("x")) == pytest.approx(
        width - float(first_l.get("x")) - float(first_l.get("width")))
    assert float(first_r.get("x")) > width / 2 > float(first_l.get("x"))


def test_timeline_routes_for_coordinators_only(session, signed_in_client, client, demo_like):
    fac, own, other = demo_like
    coordinator, _ = signed_in_client("coordinator", organisation=own)
    body = coordinator.get(f"/api/map/facilities/{fac.id}/timeline").get_json()
    assert [v["own"] for v in body["visits"]] == [True, False, True, False, True]
    svg = coordinator.get(f"/api/map/facilities/{fac.id}/timeline.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "<script" not in svg.get_data(as_text=True)
    assert ElementTree.fromstring(svg.get_data(as_text=True)).get("role") == "img"
    # the other organisation's coordinator: its own visits in full, ours in the coalition view
    theirs, _ = signed_in_client("coordinator", organisation=other)
    body = theirs.get(f"/api/map/facilities/{fac.id}/timeline").get_json()
    assert [v["own"] for v in body["visits"]] == [False, True, False, True, False]
    assert "id" not in body["visits"][2] and "count" not in body["visits"][2]["red_flags"][0]
    assert coordinator.get(f"/api/map/facilities/{uuid.uuid4()}/timeline").status_code == 404
    assert coordinator.get(f"/api/map/facilities/{fac.id}/timeline?from=2024-05-01&to=2024-01-01"
                           ).status_code == 422
    monitor, _ = signed_in_client("monitor", organisation=own)
    for suffix in ("timeline", "timeline.svg"):
        assert monitor.get(f"/api/map/facilities/{fac.id}/{suffix}").status_code == 403
    raw = factories.partner_key(session, scopes=("facilities:read", "incidents:read"))
    response = client.get(f"/api/map/facilities/{fac.id}/timeline.svg",
                          headers=factories.bearer(raw))
    assert response.status_code == 403
    assert client.get(f"/api/map/facilities/{fac.id}/timeline").status_code in (401, 403)
    assert not re.search(r"monitor_id|position|notes", coordinator.get(
        f"/api/map/facilities/{fac.id}/timeline").get_data(as_text=True))
