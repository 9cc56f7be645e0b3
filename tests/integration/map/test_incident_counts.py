"""The cell counts agree with a plain count over incidents, whatever the zoom, filters and
dates; duplicates and retracted incidents never count; changes show at once."""
from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from server.map import grid, service
from server.map.queries import Filters

from .conftest import add_incident, direct_count

WORLD = (-180.0, -90.0, 180.0, 90.0)


def view(bbox=WORLD, zoom=3, mode="cells", **filters) -> dict:
    return json.loads(service.incident_map(bbox, zoom, Filters(**filters), mode))


def cell_sum(body: dict) -> int:
    return sum(cell[2] for cell in body["cells"])


@pytest.mark.parametrize("zoom", [0, 3, 6, 8, 10, 12])
def test_counts_add_up_to_the_total_at_every_zoom(session, scattered, zoom):
    body = view(zoom=zoom)
    assert body["mode"] == "cells"
    assert cell_sum(body) == body["total"] == direct_count(session) == 300
    assert body["count"] == len(body["cells"])


@pytest.mark.parametrize("filters, where", [
    ({"types": ("sgbv",)}, "type = 'sgbv'"),
    ({"severities": (4, 5)}, "severity IN (4, 5)"),
    ({"statuses": ("verified", "submitted")}, "verification_status IN ('verified', 'submitted')"),
    ({"countries": ("PAK",)}, "country = 'PAK'"),
    ({"types": ("pushback", "sgbv"), "severities": (1, 2, 3), "statuses": ("verified",)},
     "type IN ('pushback', 'sgbv') AND severity <= 3 AND verification_status = 'verified'"),
    ({"severities": (2, 3), "countries": ("AFG",)}, "severity IN (2, 3) AND country = 'AFG'"),
    # broad selections: counted as the filter without them minus their complement
    ({"statuses": ("submitted", "has_issues", "verified")}, "verification_status <> 'rejected'"),
    ({"statuses": ("submitted", "has_issues", "verified"), "countries": ("PAK",)},
     "verification_status <> 'rejected' AND country = 'PAK'"),
    ({"severities": (2, 3, 4, 5), "statuses": ("submitted", "has_issues", "verified"),
      "types": ("pushback",)},
     "severity >= 2 AND verification_status <> 'rejected' AND type = 'pushback'"),
    ({"statuses": ("submitted", "has_issues", "verified", "rejected"), "types": ("sgbv",)},
     "type = 'sgbv'"),
])
def test_filters_change_the_counts_as_sql_does(session, scattered, filters, where):
    expected = direct_count(session, where)
    assert 0 < expected < 300
    for zoom in (3, 8, 12):
        body = view(zoom=zoom, **filters)
        assert cell_sum(body) == body["total"] == expected


def test_organisation_filter(session, scattered, orgs):
    expected = direct_count(session, "organisation_id = :org", org=orgs[1].id)
    assert view(organisations=(orgs[1].id,))["total"] == expected
    both = view(organisations=(orgs[0].id, orgs[1].id))["total"]
    assert both == direct_count(session, "organisation_id IN (:a, :b)", a=orgs[0].id, b=orgs[1].id)


def test_facility_filter(session, orgs):
    from tests import factories
    fac = factories.facility(session, lon=61.07, lat=34.67)
    for n in range(5):
        add_incident(session, orgs[0], 61.07, 34.67, date(2024, 5, n + 1), facility_id=fac.id)
    add_incident(session, orgs[0], 61.07, 34.67, date(2024, 5, 9))  # same place, no facility
    assert view(facilities=(fac.id,))["total"] == 5
    assert view(zoom=12, bbox=(61.0, 34.6, 61.2, 34.7), mode="cells",
                facilities=(fac.id,))["total"] == 5


def test_day_precise_date_ranges(session, scattered):
    """Whole months come from the monthly counts, edge days from the points: any range agrees
    with SQL, including ranges inside one month and ranges that start or end on month edges."""
    rng = random.Random(3)
    ranges = [(date(2023, 3, 1), date(2023, 3, 31)), (date(2023, 3, 2), date(2023, 3, 30)),
              (date(2023, 3, 10), date(2023, 3, 12)), (date(2023, 1, 31), date(2024, 2, 1)),
              (date(2023, 6, 15), date(2024, 12, 31)), (None, date(2023, 8, 20)),
              (date(2024, 4, 29), None)]
    for _ in range(10):
        start = date(2023, 1, 1) + timedelta(days=rng.randrange(700))
        ranges.append((start, start + timedelta(days=rng.randrange(120))))
    for start, end in ranges:
        expected = direct_count(session, "occurred_on BETWEEN :a AND :b",
                                a=start or date(1900, 1, 1), b=end or date(2999, 1, 1))
        for zoom in (3, 12):
            assert view(zoom=zoom, start=start, end=end)["total"] == expected, (start, end, zoom)
        assert view(start=start, end=end, types=("pushback",))["total"] == direct_count(
            session, "occurred_on BETWEEN :a AND :b AND type = 'pushback'",
            a=start or date(1900, 1, 1), b=end or date(2999, 1, 1))


def test_view_counts_only_cells_in_the_bbox(session, orgs):
    add_incident(session, orgs[0], 69.17, 34.53, date(2024, 1, 5))
    add_incident(session, orgs[0], 62.20, 34.35, date(2024, 1, 5))
    body = view(bbox=(68.0, 33.0, 70.0, 35.0), zoom=8)
    assert body["total"] == 1
    lon, lat, n = body["cells"][0]
    assert abs(lon - 69.17) < body["cell_deg"] and abs(lat - 34.53) < body["cell_deg"]


def test_duplicates_and_retracted_are_never_counted(session, orgs):
    original = add_incident(session, orgs[0], 70.0, 34.0, date(2024, 2, 1))
    add_incident(session, orgs[1], 70.0, 34.0, date(2024, 2, 1), duplicate_of=original.id)
    add_incident(session, orgs[0], 70.0, 34.0, date(2024, 2, 2), retracted_at=grid_now(session),
                 retracted_reason="withdrawn")
    for zoom in (3, 12):
        assert view(zoom=zoom)["total"] == 1


def grid_now(session):
    return session.execute(text("SELECT now()")).scalar_one()


def test_changes_show_at_once_and_after_folding(session, orgs):
    """Insert, update (status, type, place, date), merge and retract: every step agrees with SQL,
    before and after the waiting changes are folded into the monthly counts."""
    a = add_incident(session, orgs[0], 69.0, 34.0, date(2024, 3, 10))
    b = add_incident(session, orgs[1], 69.0, 34.0, date(2024, 3, 11), type="pushback")
    c = add_incident(session, orgs[2], 65.0, 31.0, date(2024, 3, 12))

    def check():
        for folded in (False, True):
            if folded:
                session.execute(text("SELECT map_compact()"))
            for zoom in (3, 12):
                for filters, where in (({}, "true"),
                                       ({"statuses": ("verified",)}, "verification_status = 'verified'"),
                                       ({"types": ("pushback",)}, "type = 'pushback'"),
                                       ({"start": date(2024, 3, 1), "end": date(2024, 3, 31)},
                                        "occurred_on BETWEEN '2024-03-01' AND '2024-03-31'")):
                    assert view(zoom=zoom, **filters)["total"] == direct_count(session, where)

    check()
    a.verification_status = "verified"
    session.flush()
    check()
    a.type, a.occurred_on = "pushback", date(2024, 4, 2)
    session.flush()
    check()
    from geoalchemy2.shape import from_shape
    from shapely.geometry import Point
    c.location = from_shape(Point(61.0, 34.6), srid=4326)
    session.flush()
    check()
    b.duplicate_of = a.id  # merged: counted once
    session.flush()
    check()
    c.retracted_at, c.retracted_reason = grid_now(session), "withdrawn"
    session.flush()
    check()
    assert view()["total"] == 1
    c.retracted_at = None  # un-retracted by an edit of its visit
    session.flush()
    check()
    session.delete(b)
    session.flush()
    check()


def test_bulk_changes_fold_themselves(session, orgs):
    """More than 1,000 waiting changes are folded by the writing statement itself."""
    session.execute(text("""
        INSERT INTO incidents (id, organisation_id, type, occurred_on, location,
                               location_precision, severity, country)
        SELECT gen_random_uuid(), :org, 'pushback', DATE '2024-01-01' + (g % 300),
               ST_SetSRID(ST_MakePoint(60 + (g % 15), 30 + (g % 9)), 4326), 'exact', 1 + g % 5,
               'AFG'
        FROM generate_series(1, 1500) g"""), {"org": orgs[0].id})
    assert session.execute(text("SELECT count(*) FROM map_deltas")).scalar_one() == 0
    assert session.execute(text(
        "SELECT sum(n) FROM map_cells_total WHERE level = 0")).scalar_one() == 1500
    assert view(severities=(2,))["total"] == direct_count(session, "severity = 2") == 300
    session.execute(text("UPDATE incidents SET verification_status = 'verified' "
                         "WHERE severity = 5"))
    assert view(statuses=("verified",))["total"] == 300


def test_rebuild_gives_the_same_counts(session, scattered):
    before = [view(zoom=z, types=("sgbv",))["total"] for z in (3, 8, 12)]
    session.execute(text("SELECT map_rebuild()"))
    assert [view(zoom=z, types=("sgbv",))["total"] for z in (3, 8, 12)] == before


def test_levels_match_the_migration(session):
    rows = session.execute(text("SELECT level, cell_deg, shift, cube FROM map_levels "
                                "ORDER BY level")).all()
    assert [tuple(r) for r in rows] == [(lv.level, lv.cell_deg, lv.shift, lv.cube)
                                        for lv in grid.LEVELS]


def test_combined_filters_see_new_combinations(session, orgs):
    """A combination never seen before (a new organisation's verified sgbv report) counts in
    combined filters while waiting and after it is folded into the combination numbers."""
    add_incident(session, orgs[0], 69.0, 34.0, date(2024, 3, 10))
    session.execute(text("SELECT map_compact()"))
    newcomer = add_incident(session, orgs[2], 69.1, 34.1, date(2024, 3, 12), type="sgbv",
                            verification_status="verified", country="PAK")
    combined = {"organisations": (orgs[2].id,), "statuses": ("verified",),
                "countries": ("PAK",)}
    for folded in (False, True):
        if folded:
            assert session.execute(text("SELECT map_compact()")).scalar_one() == 1
        for zoom in (3, 6, 12):
            assert view(zoom=zoom, **combined)["total"] == 1
            assert view(zoom=zoom, **{**combined, "types": ("pushback",)})["total"] == 0
        histogram = service.histogram(Filters(**combined), "day")
        assert histogram["buckets"] == [["2024-03-12", 1]]
    newcomer.verification_status = "rejected"
    session.flush()
    assert view(**combined)["total"] == 0
