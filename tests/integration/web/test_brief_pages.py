"""The briefs page (coordinators): make a brief from the form, see it listed with its download
links (the audited API route), schedule one and stop it; wrong input is shown on the page;
another organisation's briefs and schedules never appear; monitors are refused."""
from __future__ import annotations

from sqlalchemy import text

from tests import factories
from tests.integration.briefs import helpers

FORM = {"period_kind": "quarter", "period_start": "2025-02-10", "scope": "all",
        "audience": "internal", "language": "en"}


def _count(session, table: str, org) -> int:
    return session.execute(text(f"SELECT count(*) FROM {table} WHERE organisation_id = :o"),
                           {"o": org.id}).scalar()


def test_make_list_and_download_a_brief(signed_in_client, session):
    org, coordinator, *_ = helpers.field(session)
    client, _ = signed_in_client("coordinator", organisation=org)
    page = client.get("/briefs")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "No briefs yet." in body and 'href="/briefs"' in body  # in the menu
    made = client.post("/briefs", data=FORM)
    assert made.status_code == 303 and made.headers["Location"].endswith("/briefs")
    body = client.get("/briefs").get_data(as_text=True)
    assert "Brief made: 2025-Q1." in body and "2025-Q1" in body
    brief_id = session.execute(text("SELECT id FROM briefs WHERE organisation_id = :o"),
                               {"o": org.id}).scalar()
    link = f"/api/briefs/{brief_id}/file?format=pdf"
    assert link in body
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    assert session.execute(text("SELECT count(*) FROM audit_log WHERE action IN "
                                "('brief.generate', 'brief.download') AND target_id = :t"),
                           {"t": str(brief_id)}).scalar() == 2


def test_a_brief_of_a_country_and_of_a_facility(signed_in_client, session):
    org, coordinator, islam_qala, *_ = helpers.field(session)
    client, _ = signed_in_client("coordinator", organisation=org)
    body = client.get("/briefs").get_data(as_text=True)
    assert f'value="facility:{islam_qala.id}"' in body and 'value="country:AFG"' in body
    for scope in ("country:AFG", f"facility:{islam_qala.id}"):
        assert client.post("/briefs", data={**FORM, "scope": scope}).status_code == 303
    rows = session.execute(text("SELECT scope_kind, scope_value FROM briefs WHERE "
                                "organisation_id = :o ORDER BY scope_kind"), {"o": org.id}).all()
    assert [tuple(r) for r in rows] == [("country", "AFG"), ("facility", str(islam_qala.id))]
    listed = client.get("/briefs").get_data(as_text=True)
    assert "Islam Qala" in listed and "Afghanistan" in listed


def test_wrong_input_is_shown_on_the_page(signed_in_client, session):
    org, *_ = helpers.field(session)
    client, _ = signed_in_client("coordinator", organisation=org)
    missing = client.post("/briefs", data={**FORM, "period_start": ""})
    assert missing.status_code == 422
    assert 'aria-invalid="true"' in missing.get_data(as_text=True)
    published = client.post("/briefs", data={**FORM, "audience": "publication"})
    assert published.status_code == 422
    assert "make-partner_id-error" in published.get_data(as_text=True)
    bad_scope = client.post("/briefs", data={**FORM, "scope": "country:A1"})
    assert bad_scope.status_code == 422
    assert _count(session, "briefs", org) == 0


def test_schedule_and_stop(signed_in_client, session):
    org, *_ = helpers.field(session)
    client, _ = signed_in_client("coordinator", organisation=org)
    added = client.post("/briefs/schedules", data={"period_kind": "month", "scope": "all",
                                                   "audience": "internal",
                                                   "languages": ["en", "fa"]})
    assert added.status_code == 303
    row = session.execute(text("SELECT id, period_kind, languages FROM brief_schedules WHERE "
                               "organisation_id = :o"), {"o": org.id}).one()
    assert row.period_kind == "month" and list(row.languages) == ["en", "fa"]
    body = client.get("/briefs").get_data(as_text=True)
    assert "Brief scheduled." in body and f"/briefs/schedules/{row.id}/delete" in body
    none = client.post("/briefs/schedules", data={"period_kind": "month", "scope": "all"})
    assert none.status_code == 422  # no language chosen
    stopped = client.post(f"/briefs/schedules/{row.id}/delete")
    assert stopped.status_code == 303 and _count(session, "brief_schedules", org) == 0


def test_other_organisations_and_monitors(signed_in_client, session):
    org, *_ = helpers.field(session)
    client, _ = signed_in_client("coordinator", organisation=org)
    assert client.post("/briefs", data=FORM).status_code == 303
    assert client.post("/briefs/schedules", data={"period_kind": "quarter", "scope": "all",
                                                  "languages": ["ps"]}).status_code == 303
    schedule_id = session.execute(text("SELECT id FROM brief_schedules WHERE "
                                       "organisation_id = :o"), {"o": org.id}).scalar()
    other, _ = signed_in_client("coordinator", organisation=factories.organisation(session))
    body = other.get("/briefs").get_data(as_text=True)
    assert "No briefs yet." in body and "No scheduled briefs." in body
    assert other.post(f"/briefs/schedules/{schedule_id}/delete").status_code == 404
    assert _count(session, "brief_schedules", org) == 1
    monitor, _ = signed_in_client("monitor", organisation=org)
    assert monitor.get("/briefs").status_code == 403
    assert monitor.post("/briefs", data=FORM).status_code == 403
