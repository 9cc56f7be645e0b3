"""GET /api/incidents/duplicates: candidate pairs (same type, within DUPLICATE_DISTANCE_M and
DUPLICATE_DAYS, overlapping affected counts), shown side by side and merged through the API."""
from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import DAY, add_incident, assert_problem, minutes_ago

# Torkham; 0.01 degrees of longitude there are ~920 m, of latitude ~1,110 m.
LON, LAT = 71.0847, 34.1147


def pairs(client, query: str = "") -> list[tuple[str, str]]:
    response = client.get(f"/api/incidents/duplicates{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [(p["duplicate"]["id"], p["original"]["id"]) for p in response.get_json()["items"]]


def test_a_near_report_of_the_same_event_is_suggested_once(session, coalition):
    first = add_incident(session, coalition.own, LON, LAT, affected={"men": 20},
                         created=minutes_ago(10))
    second = add_incident(session, coalition.own, LON + 0.02, LAT, day=DAY + timedelta(days=2),
                          affected={"men": 14, "boys": 2}, created=minutes_ago(5))
    body = coalition.coordinator.get("/api/incidents/duplicates").get_json()
    [pair] = body["items"]
    # The later report is the suggested duplicate of the earlier one, each shown in full.
    assert (pair["duplicate"]["id"], pair["original"]["id"]) == (str(second.id), str(first.id))
    assert 1700 < pair["distance_m"] < 2000 and pair["days_apart"] == 2
    assert pair["original"]["affected"]["total"] == 20 and pair["duplicate"]["own"] is True
    assert body["settings"] == {"metres": 5000, "days": 3}
    # The queue marks it too.
    items = {i["id"]: i for i in coalition.coordinator.get("/api/incidents").get_json()["items"]}
    assert items[str(second.id)]["possible_duplicate_of"] == [str(first.id)]
    assert items[str(first.id)]["possible_duplicate_of"] == []


@pytest.mark.parametrize("change", [
    {"type": "death"},  # another type
    {"lon": LON + 0.06},  # ~5.5 km away
    {"day": DAY + timedelta(days=4)},  # too many days apart
    # 9 against 20 people, every count known: counts do not overlap
    {"affected": {"women": 0, "men": 9, "girls": 0, "boys": 0}},
])
def test_different_events_are_not_suggested(session, coalition, change):
    add_incident(session, coalition.own, LON, LAT, affected={"men": 20}, created=minutes_ago(9))
    lon = change.pop("lon", LON)
    add_incident(session, coalition.own, lon, LAT, **{"affected": {"men": 18}, **change})
    assert pairs(coalition.coordinator) == []


def test_unknown_counts_overlap_anything(session, coalition):
    add_incident(session, coalition.own, LON, LAT, affected={"men": 20}, created=minutes_ago(9))
    add_incident(session, coalition.own, LON, LAT)  # nobody counted
    assert len(pairs(coalition.coordinator)) == 1


def test_counts_not_known_never_rule_a_pair_out(session, coalition):
    """Issue 15: "not known" on both sides, or a smaller total that is only "at least" (a count
    not known), cannot show that the counts differ."""
    add_incident(session, coalition.own, LON, LAT, created=minutes_ago(9))
    add_incident(session, coalition.own, LON, LAT, created=minutes_ago(8))
    assert len(pairs(coalition.coordinator)) == 1  # both: nothing known
    add_incident(session, coalition.own, LON, LAT, type="death", created=minutes_ago(7),
                 affected={"women": 0, "men": 20, "girls": 0, "boys": 0})
    add_incident(session, coalition.own, LON, LAT, type="death",
                 affected={"men": 3, "boys": 0})  # at least 3: women and girls not known
    assert len(pairs(coalition.coordinator)) == 2


def test_rejected_merged_and_reviewed_reports_are_not_waiting(session, coalition):
    original = add_incident(session, coalition.own, LON, LAT, created=minutes_ago(9))
    add_incident(session, coalition.own, LON, LAT, verification_status="rejected")
    add_incident(session, coalition.own, LON, LAT, verification_status="verified")
    add_incident(session, coalition.own, LON, LAT, duplicate_of=original.id)
    # Only the pending original remains, and it has nothing earlier to duplicate but the
    # verified report; a rejected one is never an original.
    suggested = pairs(coalition.coordinator)
    assert [d for d, _ in suggested] == [str(original.id)]


def test_another_organisations_report_is_an_original_in_the_coalition_view(session, coalition):
    theirs = add_incident(session, coalition.other, LON, LAT, created=minutes_ago(1),
                          review_comment="checked with the hospital", profiles={"journalist": 1})
    ours = add_incident(session, coalition.own, LON, LAT, created=minutes_ago(30))
    [pair] = coalition.coordinator.get("/api/incidents/duplicates").get_json()["items"]
    assert pair["duplicate"]["id"] == str(ours.id) and pair["original"]["id"] == str(theirs.id)
    assert pair["original"]["own"] is False
    assert {"review_comment", "profiles", "monitor_id", "narrative"}.isdisjoint(pair["original"])
    # Their coordinator is offered the mirror pair: their report as a duplicate of ours.
    assert pairs(coalition.other_coordinator) == [(str(theirs.id), str(ours.id))]


def test_merging_a_suggestion_links_both_and_ends_the_suggestion(session, coalition):
    first = add_incident(session, coalition.own, LON, LAT, created=minutes_ago(9))
    second = add_incident(session, coalition.own, LON, LAT)
    [(duplicate, original)] = pairs(coalition.coordinator)
    merged = coalition.coordinator.post(f"/api/incidents/{duplicate}/merge",
                                        json={"original_id": original})
    assert merged.status_code == 200 and merged.get_json()["duplicate_of"] == str(first.id)
    session.refresh(second)
    assert second.duplicate_of == first.id
    assert pairs(coalition.coordinator) == []


def test_pages_and_facility_filter(session, coalition):
    from tests import factories
    facility = factories.facility(session)
    for n in range(3):
        add_incident(session, coalition.own, LON, LAT, created=minutes_ago(n),
                     facility_id=facility.id if n == 0 else None)
    everything = pairs(coalition.coordinator)
    assert len(everything) == 3  # b->a, c->a, c->b
    seen, url = [], "/api/incidents/duplicates?limit=2"
    while url:
        body = coalition.coordinator.get(url).get_json()
        seen += [(p["duplicate"]["id"], p["original"]["id"]) for p in body["items"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert seen == everything
    assert len(pairs(coalition.coordinator, f"?facility_id={facility.id}")) == 2


def test_only_coordinators(client, coalition):
    assert_problem(client.get("/api/incidents/duplicates"), 401)
    assert_problem(coalition.monitor.get("/api/incidents/duplicates"), 403)


@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=201", "limit"), ("facility_id=x", "facility_id"),
    ("cursor=abc", "cursor"), ("type=pushback", "type")])
def test_bad_parameters(coalition, query, field):
    assert_problem(coalition.coordinator.get(f"/api/incidents/duplicates?{query}"), 422, field)
