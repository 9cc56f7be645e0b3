"""Alert mail through a real SMTP server (aiosmtpd on 127.0.0.1): immediate, digests that
group, and a canary: no narrative, name or exact place ever in a mail."""
from __future__ import annotations

from sqlalchemy import text

from server.alerts import store
from tests import factories, jobs_inline
from tests.integration.submissions.test_json_api import report

CANARY_NARRATIVE = "CANARY-narrative-7f3a"
CANARY_NOTES = "CANARY-notes-91bc"


def _incident_rule(session, org):
    store.add_rule(session, org.id, None, "incident", {}, None)
    session.flush()


def test_immediate_mail_holds_no_narrative_name_or_place(client, session, field, smtp):
    org, monitor, coordinator, facility, auth = field
    session.execute(text("UPDATE users SET name = 'CANARY-Monitor-Name' WHERE id = :u"),
                    {"u": monitor.id})
    _incident_rule(session, org)
    body = report(facility.id, notes=CANARY_NOTES,
                  position={"type": "Point", "coordinates": [61.073917, 34.668203]})
    body["incidents"][0]["narrative"] = CANARY_NARRATIVE
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    assert jobs_inline.run_all(session) == ["alerts.drain", "alerts.mails"]
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["to"] == ["coord@example.org"]
    assert "Islam Qala" in mail["data"] and "arbitrary_arrest" in mail["data"]
    assert "/notifications" in mail["data"]
    for canary in (CANARY_NARRATIVE, CANARY_NOTES, "CANARY-Monitor-Name", monitor.email,
                   "61.07", "34.66", "journalist", "PoR"):
        assert canary not in mail["data"], canary
    # mailed once: the mailer run again (a retry, the periodic run) sends nothing
    from server.jobs.registry import FUNCTIONS
    assert FUNCTIONS["alerts.mails"]() == 0
    note = session.execute(text("SELECT id FROM notifications")).scalar_one()
    assert FUNCTIONS["alerts.mail"](notification_id=str(note)) is False
    assert len(smtp.messages) == 1


def test_a_burst_goes_out_in_one_smtp_session_each_mail_once(client, session, field, smtp):
    org, _, coordinator, facility, auth = field
    _incident_rule(session, org)
    for _ in range(4):
        assert client.post("/api/submissions", json=report(facility.id),
                           headers=auth).status_code == 201
    assert jobs_inline.run_all(session) == ["alerts.drain", "alerts.mails"]  # one mailer
    ids = {line for m in smtp.messages for line in m["data"].splitlines()
           if line.lower().startswith("message-id:")}
    assert len(smtp.messages) == 4 and len(ids) == 4
    assert len({m["session"] for m in smtp.messages}) == 1
    assert session.execute(text("SELECT count(*) FROM notifications WHERE emailed_at IS NULL")
                           ).scalar_one() == 0
    # someone who takes a digest is not mailed at once, and a stale backlog is left to digests
    store.set_mode(session, coordinator.id, "daily")
    assert client.post("/api/submissions", json=report(facility.id),
                       headers=auth).status_code == 201
    assert "alerts.mails" not in jobs_inline.run_all(session)
    store.set_mode(session, coordinator.id, "immediate")
    session.execute(text("UPDATE notifications SET created_at = now() - interval '2 days' "
                         "WHERE emailed_at IS NULL"))
    from server.jobs.registry import FUNCTIONS
    assert FUNCTIONS["alerts.mails"]() == 0 and len(smtp.messages) == 4


def test_hourly_digest_groups_and_is_sent_once(client, session, field, smtp):
    org, _, coordinator, facility, auth = field
    other = factories.facility(session, lon=62.2, lat=34.3, name="Herat holding")
    store.set_mode(session, coordinator.id, "hourly")
    _incident_rule(session, org)
    for where in (facility, other, facility):
        assert client.post("/api/submissions", json=report(where.id),
                           headers=auth).status_code == 201
    assert "alerts.mail" not in jobs_inline.run_all(session)
    assert smtp.messages == []
    from server.alerts import tasks
    assert tasks.digests() == 1
    assert len(smtp.messages) == 1
    data = smtp.messages[0]["data"]
    assert "3 alerts (hourly digest)" in data
    assert data.count("Islam Qala") == 2 and data.count("Herat holding") == 1
    assert tasks.digests() == 0  # not due again for an hour; nothing left unmailed anyway
    assert len(smtp.messages) == 1


def test_notifications_are_read_per_person(app, client, session, field, signed_in_client):
    org, _, _, facility, auth = field
    _incident_rule(session, org)
    first, first_user = signed_in_client("coordinator", organisation=org)
    second, _ = signed_in_client("coordinator", organisation=org)
    assert client.post("/api/submissions", json=report(facility.id),
                       headers=auth).status_code == 201
    jobs_inline.run_all(session)
    listed = first.get("/api/notifications").get_json()
    assert listed["unread"] == 1 and len(listed["items"]) == 1
    assert "narrative" not in str(listed)
    page = first.get("/notifications")
    assert page.status_code == 200 and "Islam Qala" in page.get_data(as_text=True)
    assert "Notifications (1)" in page.get_data(as_text=True)
    # the second coordinator cannot mark the first one's notification read
    note_id = listed["items"][0]["id"]
    assert second.post("/api/notifications/read", json={"ids": [note_id]}).get_json()["marked"] == 0
    assert first.post("/api/notifications/read", json={"ids": [note_id]}).get_json() == {
        "marked": 1, "unread": 0}
    assert second.get("/api/notifications").get_json()["unread"] == 1
    monitor_client, _ = signed_in_client("monitor", organisation=org)
    assert monitor_client.get("/api/notifications").status_code == 403
