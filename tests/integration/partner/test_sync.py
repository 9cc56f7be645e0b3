"""Incremental sync round trip: a partner that keeps syncing with `updated_since` ends with
exactly the records it may have, whatever happened in between (create, update, verify, retract,
consent withdrawn, merge, facility moved, policy changed)."""
from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import text

from tests import factories
from tests.integration.partner import helpers


class PartnerCopy:
    """What a partner's own database would hold: upserts, and deletes for tombstones."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers
        self.records: dict[str, dict] = {}
        self.since: str | None = None
        self.tombstones = 0

    def sync(self, limit: int = 2) -> None:
        params = {"limit": limit}
        if self.since:
            params["updated_since"] = self.since
        features, last = helpers.feed(self.client, self.headers, **params)
        for feature in features:
            if feature["properties"].get("deleted"):
                self.tombstones += 1
                self.records.pop(feature["id"], None)
            else:
                self.records[feature["id"]] = feature
        assert last["sync"]["complete"] is True
        sync_link = next(link["href"] for link in last["links"] if link["rel"] == "sync")
        token = last["sync"]["updated_since"]
        assert parse_qs(urlparse(sync_link).query)["updated_since"] == [token]
        self.since = token


def shareable_ids(session, org) -> set[str]:
    """What the partner should hold, computed independently of the feed's SQL."""
    return {str(i) for i in session.execute(text("""
        SELECT i.id FROM incidents i, sharing_policies p
        WHERE p.organisation_id = :org AND i.retracted_at IS NULL AND i.duplicate_of IS NULL
          AND i.consent <> 'internal_only' AND i.verification_status = ANY(p.statuses)
          AND (p.incident_types IS NULL OR i.type = ANY(p.incident_types))
          AND i.occurred_on <= current_date - p.embargo_days"""), {"org": org.id}).scalars()}


def update(session, incident, **values) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in values)
    session.execute(text(f"UPDATE incidents SET {sets} WHERE id = :id"),
                    {**values, "id": incident.id})


def test_a_partner_copy_converges_to_the_shareable_set(client, session):
    org, headers = helpers.partner(session, location_precision="facility", small_count_k=1)
    fac = factories.facility(session, lon=61.07, lat=34.66)
    a, b, c, d, e = (helpers.incident(session, facility=fac, affected_men=n) for n in range(5))
    pending = helpers.incident(session, facility=fac, verification_status="submitted")
    copy = PartnerCopy(client, headers)

    copy.sync()  # the first sync: everything shareable, no tombstones
    assert set(copy.records) == shareable_ids(session, org) == {str(x.id) for x in (a, b, c, d, e)}
    assert copy.tombstones == 0

    update(session, a, affected_men=40)  # an edit
    update(session, pending, verification_status="verified")  # verified later
    update(session, b, retracted_at=date.today(), retracted_reason="withdrawn")  # retracted
    update(session, c, consent="internal_only")  # consent withdrawn
    update(session, d, duplicate_of=e.id)  # merged as a duplicate
    copy.sync()
    assert set(copy.records) == shareable_ids(session, org) == {str(x.id) for x in (a, e, pending)}
    assert copy.records[str(a.id)]["properties"]["affected_men"] == 40
    assert copy.tombstones == 3

    session.execute(text("UPDATE facilities SET location = :p, updated_at = clock_timestamp() "
                         "WHERE id = :id"),
                    {"p": from_shape(Point(61.2, 34.5), srid=4326).desc, "id": fac.id})
    copy.sync()  # the facility moved: incidents snapped to it move too
    assert {tuple(r["geometry"]["coordinates"]) for r in copy.records.values()} == {(61.2, 34.5)}

    helpers.set_policy(session, org, location_precision="grid", grid_km=10,
                       incident_types=["pushback"])
    f = helpers.incident(session, type="pushback", lon=62.0, lat=33.0)
    copy.sync()  # the policy changed: everything again, under the new policy
    assert set(copy.records) == shareable_ids(session, org) == {str(f.id)}
    assert copy.records[str(f.id)]["properties"]["location_precision"] == "grid_10km"

    helpers.set_policy(session, org, location_precision="exact", embargo_days=30)
    update(session, f, occurred_on=date.today() - timedelta(days=3))
    copy.sync()  # under embargo now
    assert set(copy.records) == shareable_ids(session, org)
    assert str(f.id) not in copy.records and str(a.id) in copy.records

    before = copy.tombstones
    copy.sync()  # nothing changed: nothing to apply
    assert copy.tombstones == before and set(copy.records) == shareable_ids(session, org)


def test_tombstones_carry_nothing_but_the_id(client, session):
    org, headers = helpers.partner(session, location_precision="exact")
    gone = helpers.incident(session)
    copy = PartnerCopy(client, headers)
    copy.sync()
    update(session, gone, verification_status="rejected", admin1="Somewhere else")
    features, _ = helpers.feed(client, headers, updated_since=copy.since)
    assert features == [{"type": "Feature", "id": str(gone.id), "geometry": None,
                         "properties": {"deleted": True}}]


def test_a_filtered_sync_drops_records_that_leave_the_filter(client, session):
    org, headers = helpers.partner(session, location_precision="exact")
    inside = helpers.incident(session, lon=70.5, lat=34.5)
    copy = PartnerCopy(client, headers)
    features, last = helpers.feed(client, headers, bbox="70,34,71,35")
    assert [f["id"] for f in features] == [str(inside.id)]
    update(session, inside, location=from_shape(Point(65, 31), srid=4326).desc)
    since = last["sync"]["updated_since"]
    features, _ = helpers.feed(client, headers, bbox="70,34,71,35", updated_since=since)
    assert features[0]["properties"] == {"deleted": True}
    assert copy.records == {}
