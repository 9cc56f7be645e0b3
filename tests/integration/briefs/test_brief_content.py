"""What a brief says: the tables from the organisation's own data (internal), or from the
partner policy's SQL (published), with small counts suppressed."""
from __future__ import annotations

from datetime import datetime, timezone

from server.briefs import compose, render
from server.briefs.queries import Scope
from server.partner.policy import Policy
from tests.integration.briefs import helpers

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


def _q1():
    return compose.period_of("quarter", helpers.Q1)


def test_periods():
    q = compose.period_of("quarter", helpers.Q1.replace(month=2, day=17))
    assert (q.start.isoformat(), q.end.isoformat(), q.label) == ("2025-01-01", "2025-04-01",
                                                                 "2025-Q1")
    assert q.previous().label == "2024-Q4" and q.months() == ["2025-01", "2025-02", "2025-03"]
    assert compose.last_complete("month", helpers.Q1.replace(day=9)).label == "2024-12"


def test_internal_brief_counts_the_organisations_own_reports(session):
    org, _, islam_qala, torkham, _ = helpers.field(session)
    brief = compose.compose(session, org.id, _q1(), Scope("all"), now=NOW)
    rows = {r["type"]: r for r in brief["incidents"]["by_type"]}
    assert rows["forced_return"]["months"] == [7, 1, 0]
    assert rows["forced_return"]["previous"] == 1 and rows["forced_return"]["change"] == 7
    assert rows["death"]["total"] == 1 and rows["pushback"]["months"] == [0, 0, 1]
    assert brief["incidents"]["total"] == 10
    assert {r["state"]: r["count"] for r in brief["incidents"]["by_state"]} == {
        "iran": 9, "pakistan": 1}
    marks = {m["name"]: m for m in brief["facilities"] if m["visits"]}
    assert marks["Islam Qala"]["ring"] == "red_flag" and marks["Islam Qala"]["incidents"] == 9
    assert marks["Torkham"]["denied"] == 1
    assert {(f["code"], f["state"]) for f in brief["findings"]} == {
        ("death", "iran"), ("asylum_denied", "iran")}
    assert brief["indicators"][0]["code"] == "space_per_person"
    assert brief["indicators"][0]["not_met"] == 2


def test_published_brief_goes_through_the_policy(session):
    org, _, islam_qala, torkham, _ = helpers.field(session)
    policy = Policy(location_precision="admin1", small_count_k=5, sensitive_types=())
    brief = compose.compose(session, org.id, _q1(), Scope("all"), policy=policy, now=NOW)
    rows = {r["type"]: r for r in brief["incidents"]["by_type"]}
    # February's one is "<5"; January's 7 is withheld too, or the total 8 would give it away
    assert rows["forced_return"]["months"] == ["×", "<5", 0]
    assert rows["forced_return"]["total"] == 8
    assert rows["forced_return"]["previous"] == "<5" and rows["forced_return"]["change"] is None
    assert rows["death"]["total"] == "<5"
    places = {r["place"] for r in brief["incidents"]["by_place"]}
    assert places == {"Herat", "Nangarhar"}  # admin-1, never a facility
    marks = {m["name"]: m for m in brief["facilities"] if m["visits"]}
    assert marks["Islam Qala"]["incidents"] is None
    # the red flag that came from an incident is not published, the visit's own is
    assert {f["code"] for f in brief["findings"]} == {"death"}


def test_html_and_pdf_render(session):
    org, *_ = helpers.field(session)
    brief = compose.compose(session, org.id, _q1(), Scope("all"), now=NOW)
    document = render.html(brief, "fa")
    assert 'dir="rtl"' in document and helpers.DARI_NAME in document
    assert render.pdf(document)[:5] == b"%PDF-"


def test_facilities_with_nothing_in_the_period_are_counted_not_listed(session):
    """A brief of every facility names and numbers those with a visit or an incident in the
    period; the others (thousands, on the bench database) are a count and grey dots on the
    map, not a page of empty rows and a label each."""
    from tests import factories
    org, _, islam_qala, torkham, _ = helpers.field(session)
    factories.facility(session, lon=62.0, lat=33.0, name="Quiet Post CANARY")
    brief = compose.compose(session, org.id, _q1(), Scope("all"), now=NOW)
    listed = {m["name"]: m["number"] for m in brief["facilities"] if m["number"]}
    assert set(listed) >= {"Islam Qala", "Torkham"} and "Quiet Post CANARY" not in listed
    assert sorted(listed.values()) == list(range(1, len(listed) + 1))
    assert brief["quiet"] == len(brief["facilities"]) - len(listed) >= 1
    document = render.html(brief, "en")
    assert "Quiet Post CANARY" not in document and "Islam Qala" in document


def test_the_map_of_thousands_of_facilities_stays_small():
    from server.briefs import charts
    marks = [{"lon": 60 + (i % 100) * 0.15, "lat": 25 + (i // 100) * 0.25, "incidents": None,
              "ring": "none" if i % 3 else "2", "number": None if i % 3 else i // 3 + 1}
             for i in range(5000)]
    svg = charts.facility_map(marks)
    assert svg.count("<text") <= 3 * 300  # numbers for at most 300 facilities
    assert len(svg) < len(charts.facility_map([])) + 150_000  # not a mark element each


def _good(rating=3):
    return {d: {"rating": rating, "evidence": ["observed"], "indicators": []}
            for d in ("safety_treatment", "legal_protection", "material_conditions",
                      "return_reception")}


def _more_facilities(session, org):
    """Beside Islam Qala (a red flag) and Torkham (access denied): a quiet facility (rated 3
    and 4), one with a grave incident (severity 5) but good ratings, one rated 1."""
    from datetime import date

    from tests import factories
    from tests.integration.partner import helpers as partner_helpers
    quiet = factories.facility(session, lon=62.2, lat=33.1, name="Quiet Camp QUIETCANARY")
    grave = factories.facility(session, lon=62.5, lat=33.5, name="Grave Post")
    poor = factories.facility(session, lon=63.0, lat=33.9, name="Poor Centre")
    helpers.visit(session, org, quiet, date(2025, 1, 20), ring="3",
                  dimensions={**_good(3), "return_reception": {"rating": 4}})
    # rated 1 in January, better at its latest visit: only the latest visit counts
    helpers.visit(session, org, quiet, date(2025, 1, 5), ring="1",
                  dimensions={**_good(3), "safety_treatment": {"rating": 1}})
    helpers.visit(session, org, grave, date(2025, 2, 2), ring="3", dimensions=_good(3))
    partner_helpers.incident(session, organisation=org, facility=grave, type="death",
                             occurred_on=date(2025, 2, 3), severity=5, lon=62.5, lat=33.5)
    helpers.visit(session, org, poor, date(2025, 3, 1), ring="1",
                  dimensions={**_good(3), "material_conditions": {"rating": 1}})
    return quiet, grave, poor


def test_only_facilities_of_concern_get_a_section_gravest_first(session):
    org, _, islam_qala, torkham, _ = helpers.field(session)
    quiet, grave, poor = _more_facilities(session, org)
    brief = compose.compose(session, org.id, _q1(), Scope("all"), now=NOW)
    names = [s["facility"]["name"] for s in brief["sections"]]
    assert names[0] == "Islam Qala"  # a red flag first
    assert set(names) == {"Islam Qala", "Torkham", "Grave Post", "Poor Centre"}
    assert "Quiet Camp QUIETCANARY" not in names
    concern = {m["name"]: m["concern"] for m in brief["facilities"]}
    assert concern["Grave Post"] == ["grave"] and concern["Poor Centre"] == ["low_rating"]
    assert concern["Torkham"] == ["denied"] and concern["Quiet Camp QUIETCANARY"] == []
    assert brief["concern"] == {"total": 4, "more": 0, "by_reason": {
        "red_flag": 1, "grave": 1, "denied": 1, "low_rating": 2}}
    # the quiet one is a row of the summary table, with its ratings, and counted
    assert brief["visited"] == 5
    document = render.html(brief, "en")
    assert document.count("QUIETCANARY") == 1
    # published: an incident decides nothing (the policy may hold it back)
    policy = Policy(location_precision="admin1", small_count_k=5, sensitive_types=())
    published = compose.compose(session, org.id, _q1(), Scope("all"), policy=policy, now=NOW)
    assert {s["facility"]["name"] for s in published["sections"]} == {
        "Islam Qala", "Torkham", "Poor Centre"}


def test_the_cap_on_sections_is_announced(session, monkeypatch):
    import shutil
    import subprocess
    import tempfile
    org, *_ = helpers.field(session)
    _more_facilities(session, org)
    monkeypatch.setattr(compose, "SECTIONS_MAX", 2)
    brief = compose.compose(session, org.id, _q1(), Scope("all"), now=NOW)
    assert [s["facility"]["name"] for s in brief["sections"]] == ["Islam Qala", "Grave Post"]
    assert brief["concern"]["total"] == 4 and brief["concern"]["more"] == 2
    document = render.html(brief, "en", rows=render.PDF_ROWS)
    assert "2 more facilities of concern have no section of their own" in document
    assert "4 of the 5 facilities visited were of concern" in document
    if shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(render.pdf(document))
            f.flush()
            text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True,
                                  text=True).stdout
        assert "2 more facilities of concern" in " ".join(text.split())


def test_long_tables_are_cut_in_the_pdf_and_whole_in_html(session):
    org, *_ = helpers.field(session)
    _more_facilities(session, org)
    brief = compose.compose(session, org.id, _q1(), Scope("all"), now=NOW)
    whole = render.html(brief, "en")
    cut = render.html(brief, "en", rows=2)
    assert "Quiet Camp QUIETCANARY" in whole and "more rows are in the HTML edition" not in whole
    # the two gravest rows stay (Islam Qala: a red flag; Grave Post: a grave incident)
    assert "3 more rows are in the HTML edition" in cut and "QUIETCANARY" not in cut
    assert "Islam Qala" in cut


def test_timelines_of_many_facilities_at_once_are_each_facilitys_timeline(session, monkeypatch):
    """The sections' timelines come from one set of statements; each is the workspace's own
    timeline of that facility (the latest MAX_VISITS per facility, not overall)."""
    import uuid

    from server.assessment import timeline
    org, _, islam_qala, torkham, _ = helpers.field(session)
    period = {"since": helpers.Q1, "until": helpers.Q1.replace(month=3, day=31)}
    ids = [islam_qala.id, torkham.id, uuid.uuid4()]
    many = timeline.timelines_data(session, ids, organisation_id=org.id, **period)
    assert set(many) == {islam_qala.id, torkham.id}
    for facility_id in (islam_qala.id, torkham.id):
        assert many[facility_id] == timeline.timeline_data(
            session, facility_id, organisation_id=org.id, **period)
    assert len(many[islam_qala.id]["visits"]) == 2
    monkeypatch.setattr(timeline, "MAX_VISITS", 1)
    latest = timeline.timelines_data(session, ids, organisation_id=org.id, **period)
    assert [v["date"] for v in latest[islam_qala.id]["visits"]] == ["2025-02-20"]
    assert [v["date"] for v in latest[torkham.id]["visits"]] == ["2025-03-05"]
