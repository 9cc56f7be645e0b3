"""Finding 7: `updated_since=1970-01-01` returned tombstones for incidents the partner never
received (internal-only, rejected, pending, embargoed), with their exact change times. The
delivery ledger now sends a tombstone only to an organisation that holds the id."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from server.partner import queries
from tests.integration.partner import helpers

EPOCH = "1970-01-01T00:00:00Z"


def _ids(features, deleted: bool) -> set[str]:
    return {f["id"] for f in features if bool(f["properties"].get("deleted")) == deleted}


def test_tombstones_only_for_what_the_partner_holds(client, session):
    org, headers = helpers.partner(session, location_precision="exact", embargo_days=30)
    shared = helpers.incident(session)
    never = [helpers.incident(session, consent="internal_only"),
             helpers.incident(session, verification_status="rejected"),
             helpers.incident(session, verification_status="submitted"),
             helpers.incident(session, occurred_on=date.today() - timedelta(days=2))]
    features, _ = helpers.feed(client, headers, updated_since=EPOCH, limit=1)
    assert _ids(features, deleted=False) == {str(shared.id)}
    assert _ids(features, deleted=True) == set(), "tombstones of incidents never received"
    assert [str(h["organisation_id"]) for h in queries.holders(session, shared.id)] == [
        str(org.id)]
    for incident in never:
        assert queries.holders(session, incident.id) == []

    # The shared one is rejected later: the partner that holds it gets its tombstone, and
    # again on a retry of the same sync, then no longer holds it.
    session.execute(text("UPDATE incidents SET verification_status = 'rejected', "
                         "updated_at = clock_timestamp() WHERE id = :id"), {"id": shared.id})
    for _ in range(2):
        features, _ = helpers.feed(client, headers, updated_since=EPOCH)
        assert _ids(features, deleted=True) == {str(shared.id)}
    assert queries.holders(session, shared.id) == []
    # another partner that never had it gets no tombstone
    _, other = helpers.partner(session, location_precision="exact")
    features, _ = helpers.feed(client, other, updated_since=EPOCH)
    assert _ids(features, deleted=True) == set()


def test_every_output_records_what_it_hands_out(client, session):
    org, headers = helpers.partner(session, location_precision="exact")
    by_ogc, by_item, by_export = (helpers.incident(session) for _ in range(3))
    session.execute(text("UPDATE incidents SET verification_status = 'submitted' WHERE id IN "
                         "(:a, :b)"), {"a": by_item.id, "b": by_export.id})
    helpers.ogc_items(client, headers)
    assert [h["organisation_id"] for h in queries.holders(session, by_ogc.id)] == [org.id]
    session.execute(text("UPDATE incidents SET verification_status = 'verified' WHERE id = :a"),
                    {"a": by_item.id})
    assert client.get(f"/ogc/collections/incidents/items/{by_item.id}",
                      headers=headers).status_code == 200
    assert [h["organisation_id"] for h in queries.holders(session, by_item.id)] == [org.id]
    session.execute(text("UPDATE incidents SET verification_status = 'verified' WHERE id = :a"),
                    {"a": by_export.id})
    helpers.export_csv(client, headers)
    assert [h["organisation_id"] for h in queries.holders(session, by_export.id)] == [org.id]


def test_admins_see_which_partners_hold_an_incident(client, session, signed_in_client):
    org, headers = helpers.partner(session, location_precision="exact")
    made = helpers.incident(session)
    helpers.feed(client, headers)
    admin, _ = signed_in_client("admin")
    body = admin.get(f"/api/partner-policies/holders/{made.id}").get_json()
    assert [row["organisation_id"] for row in body["items"]] == [str(org.id)]
    # more holders than a page: the list pages by signed cursor like every list
    others = [helpers.partner(session, location_precision="exact") for _ in range(2)]
    for _, their_headers in others:
        helpers.feed(client, their_headers)
    held, url = [], f"/api/partner-policies/holders/{made.id}?limit=2"
    while url:
        page = admin.get(url).get_json()
        assert len(page["items"]) <= 2
        held += [row["organisation_id"] for row in page["items"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert sorted(held) == sorted(str(o.id) for o in [org] + [o for o, _ in others])
    assert admin.get(f"/api/partner-policies/holders/{made.id}?cursor=a.b").status_code == 422
    coordinator, _ = signed_in_client("coordinator")
    assert coordinator.get(f"/api/partner-policies/holders/{made.id}").status_code == 403
    assert client.get(f"/api/partner-policies/holders/{made.id}",
                      headers=headers).status_code == 403
