"""Second pass: revoking a partner's API key (a key leaked, an agreement ended) stopped its
feed, but not its webhooks: the hook it had registered kept receiving every newly shared
incident. A hook now delivers only while its organisation holds a key that may read the feed
(active, unexpired, scope incidents:read); without one nothing is collected or sent."""
from __future__ import annotations

from sqlalchemy import text

from tests import factories, jobs_inline
from tests.integration.security.test_webhook_ssrf import _incident
from tests.integration.webhooks.test_webhooks import Receiver


def test_a_revoked_partner_receives_nothing_more_by_webhook(client, session):
    org = factories.organisation(session, kind="partner")
    key = factories.partner_key(session, org, scopes=("incidents:read",))
    receiver = Receiver()
    try:
        hook = client.post("/api/webhooks", json={"url": receiver.url},
                           headers=factories.bearer(key))
        assert hook.status_code == 201
        session.execute(text("UPDATE webhooks SET synced_asof = now() - interval '1 hour'"))
        _incident(session)
        jobs_inline.run_all(session)
        assert len(receiver.got) == 1  # while the agreement stands

        session.execute(text("UPDATE partner_keys SET revoked_at = now() "
                             "WHERE organisation_id = :o"), {"o": org.id})
        assert client.get("/api/partner/v1/incidents",
                          headers=factories.bearer(key)).status_code == 401
        _incident(session)
        jobs_inline.run_all(session)
        sent = [event["incident_id"] for event in receiver.events()]
        assert len(sent) == 1, "a revoked partner still receives incidents by webhook"
        queued = session.execute(text("SELECT count(*) FROM webhook_deliveries d JOIN webhooks w "
                                      "ON w.id = d.webhook_id WHERE w.organisation_id = :o "
                                      "AND d.status = 'pending'"), {"o": org.id}).scalar()
        assert queued == 0, "its changes are still collected for it"
    finally:
        receiver.stop()
