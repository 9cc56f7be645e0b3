"""Property: for random policies, random edits and random page sizes, the union of everything a
partner can read — the feed page by page (first sync and incremental), OGC API items and one
item, the exports, and any cursor it may try — never holds an incident or a value its policy
excludes at the time of reading; tombstones only name ids the partner was handed before."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, text

from server.incidents.models import Incident
from tests import factories
from tests.integration.partner import helpers
from tests.integration.partner.test_policy_properties import (
    check_record,
    from_csv,
    from_geojson,
    incident_from,
    incident_specs,
    policies,
    shareable,
)

edits = st.fixed_dictionaries({}, optional={
    "verification_status": st.sampled_from(("submitted", "verified", "rejected")),
    "consent": st.sampled_from(("internal_only", "share_anonymised")),
    "days_ago": st.integers(min_value=0, max_value=90),
    "retracted": st.booleans(),
})


def _apply(session, incident_id: str, spec: dict, edit: dict) -> dict:
    spec = {**spec, **edit}
    session.execute(text(
        "UPDATE incidents SET verification_status = :s, consent = :c, occurred_on = :o, "
        "retracted_at = :r WHERE id = :id"),
        {"s": spec["verification_status"], "c": spec["consent"],
         "o": date.today() - timedelta(days=spec["days_ago"]),
         "r": datetime.now(timezone.utc) if spec["retracted"] else None, "id": incident_id})
    return spec


def _pages(client, headers, url: str) -> tuple[list, dict, list[str]]:
    """Every feature through the `next` links, and the cursors handed out on the way."""
    features, cursors = [], []
    while True:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json(force=True)
        features += body["features"]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        if url is None:
            return features, body, cursors
        cursors.append(parse_qs(urlparse(url).query)["cursor"][0])


def _check(policy, made, facility, features, expected, name):
    records = from_geojson([f for f in features if not f["properties"].get("deleted")])
    assert set(records) <= expected, name
    for incident_id, record in records.items():
        check_record(policy, made[incident_id], facility, record)
    return records


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(policy=policies, specs=st.lists(incident_specs, min_size=1, max_size=6),
       changes=st.lists(edits, min_size=1, max_size=6), page=st.integers(min_value=1, max_value=4))
def test_nothing_a_partner_can_read_exceeds_its_policy(client, session, policy, specs, changes,
                                                       page):
    if "grid" not in (policy["location_precision"], policy["sensitive_precision"]):
        policy = {**policy, "grid_km": None}
    org, headers = helpers.partner(session, **policy)
    _, other_headers = helpers.partner(session, **policy)
    facility = factories.facility(session, lon=66.5, lat=31.2, name="Spin Boldak")
    facility.lon, facility.lat = 66.5, 31.2
    made = {}
    try:
        for spec in specs:
            made[str(incident_from(session, spec, facility).id)] = spec
        expected = {i for i, spec in made.items() if shareable(policy, spec)}
        features, last, cursors = _pages(client, headers,
                                         f"/api/partner/v1/incidents?limit={page}")
        held = set(_check(policy, made, facility, features, expected, "first sync"))
        assert held == expected
        since = last["sync"]["updated_since"]
        # every cursor handed out is refused to another partner and on another list
        for cursor in cursors:
            for url, h in ((f"/api/partner/v1/incidents?cursor={cursor}", other_headers),
                           (f"/ogc/collections/incidents/items?cursor={cursor}", headers)):
                assert client.get(url, headers=h).status_code == 422

        for n, edit in enumerate(changes):  # random edits of random incidents
            incident_id = list(made)[n % len(made)]
            made[incident_id] = _apply(session, incident_id, made[incident_id], edit)
        expected = {i for i, spec in made.items() if shareable(policy, spec)}

        features, last, _ = _pages(client, headers, "/api/partner/v1/incidents?limit="
                                   f"{page}&updated_since={since.replace('+', '%2B')}")
        tombstones = {f["id"] for f in features if f["properties"].get("deleted")}
        assert tombstones <= held, "a tombstone for an incident never handed out"
        held = (held - tombstones) | set(_check(policy, made, facility, features, expected,
                                                "incremental sync"))
        assert held == expected
        outputs = {"ogc": _pages(client, headers,
                                 f"/ogc/collections/incidents/items?limit={page}")[0],
                   "geojson": helpers.export_geojson(client, headers)[1]["features"]}
        for incident_id in made:
            response = client.get(f"/ogc/collections/incidents/items/{incident_id}",
                                  headers=headers)
            assert response.status_code == (200 if incident_id in expected else 404)
        for name, features in outputs.items():
            assert set(_check(policy, made, facility, features, expected, name)) == expected
        records = from_csv(helpers.export_csv(client, headers)[1])
        assert set(records) == expected
        for incident_id, record in records.items():
            check_record(policy, made[incident_id], facility, record)
    finally:
        session.execute(delete(Incident).where(Incident.id.in_(list(made))))
        session.delete(facility)
        session.flush()
