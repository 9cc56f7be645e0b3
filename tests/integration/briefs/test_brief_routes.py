"""Briefs through the API: coordinators of the organisation only; every generation and download
audited; the PDF's text in English, Dari and Pashto (pdftotext), its pages as PNG (pdftoppm)."""
from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from server.briefs import service
from tests import factories
from tests.integration.briefs import helpers
from tests.integration.partner import helpers as partner_helpers

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
REQUEST = {"period_kind": "quarter", "period_start": "2025-02-10", "scope_kind": "all"}


def _client(app, session, user):
    cookie, csrf = factories.browser_session(session, user)
    client = app.test_client()
    client.set_cookie("session", cookie)
    client.environ_base["HTTP_X_CSRF_TOKEN"] = csrf
    return client


def _audit(session, action: str, target) -> int:
    return session.execute(text("SELECT count(*) FROM audit_log WHERE action = :a AND "
                                "target_id = :t"), {"a": action, "t": str(target)}).scalar()


def test_generate_list_download_audited(app, session):
    org, coordinator, *_ = helpers.field(session)
    client = _client(app, session, coordinator)
    response = client.post("/api/briefs", json={**REQUEST, "language": "en"})
    assert response.status_code == 201, response.get_data(as_text=True)
    brief = response.get_json()
    assert brief["period_start"] == "2025-01-01" and brief["period_end"] == "2025-04-01"
    assert _audit(session, "brief.generate", brief["id"]) == 1
    listed = client.get("/api/briefs").get_json()["items"]
    assert [b["id"] for b in listed] == [brief["id"]]
    pdf = client.get(f"/api/briefs/{brief['id']}/file")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    assert pdf.headers["Content-Type"] == "application/pdf"
    html = client.get(f"/api/briefs/{brief['id']}/file?format=html")
    assert b"Islam Qala" in html.data
    assert _audit(session, "brief.download", brief["id"]) == 2


def test_access_rules(app, session):
    org, coordinator, *_ = helpers.field(session)
    brief = service.generate(session, _principal(coordinator),
                             {**REQUEST, "period_start": helpers.Q1})
    monitor = factories.user(session, role="monitor", organisation=org)
    assert _client(app, session, monitor).get("/api/briefs").status_code == 403
    assert _client(app, session, monitor).post("/api/briefs", json=REQUEST).status_code == 403
    other = factories.user(session, role="coordinator")
    assert _client(app, session, other).get(
        f"/api/briefs/{brief['id']}/file").status_code == 404
    assert _client(app, session, other).get("/api/briefs").get_json()["items"] == []
    _, partner_headers = partner_helpers.partner(session)
    assert app.test_client().get("/api/briefs", headers=partner_headers).status_code in (401, 403)
    assert app.test_client().get(f"/api/briefs/{brief['id']}/file",
                                 headers=partner_headers).status_code in (401, 403)
    assert _audit(session, "brief.download", brief["id"]) == 0


def test_publication_needs_a_partner_organisation(app, session):
    org, coordinator, *_ = helpers.field(session)
    client = _client(app, session, coordinator)
    assert client.post("/api/briefs", json={**REQUEST, "audience": "publication"}
                       ).status_code == 422
    assert client.post("/api/briefs", json={**REQUEST, "audience": "publication",
                                            "partner_id": str(org.id)}).status_code == 404
    assert client.post("/api/briefs", json={**REQUEST, "scope_kind": "facility",
                                            "scope_value": str(uuid.uuid4())}
                       ).status_code == 404


@pytest.mark.parametrize("start", ["0001-01-01", "0001-03-31", "9999-12-01", "1899-12-31"])
def test_a_period_out_of_range_is_a_422_not_a_500(app, session, start):
    """Second adversarial pass: 0001-01-01 gave a 500 (the previous period is before year 1)."""
    org, coordinator, *_ = helpers.field(session)
    client = _client(app, session, coordinator)
    for kind in ("month", "quarter"):
        response = client.post("/api/briefs", json={**REQUEST, "period_kind": kind,
                                                     "period_start": start})
        assert response.status_code == 422, response.get_data(as_text=True)
        assert "period_start" in response.get_json()["errors"]


def _principal(user):
    from server.core.access import Principal
    return Principal(kind="user", user_id=user.id, organisation_id=user.organisation_id,
                     role=user.role)


WORDS = {"en": ["Monitoring brief", "Incidents by type and month", "Islam Qala",
                "Methods and data protection"],
         "fa": ["گزارش مختصر نظارت", "رویدادها بر اساس نوع و ماه", helpers.DARI_NAME,
                "بازگشت اجباری"],
         "ps": ["د څارنې لنډ راپور", "پېښې د ډول او میاشت له مخې", helpers.PASHTO_NAME,
                "جبري بېرته ستنول"]}


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils: scripts/system-deps.sh")
@pytest.mark.parametrize("language", ["en", "fa", "ps"])
def test_pdf_text_and_pages(app, session, language):
    org, coordinator, *_ = helpers.field(session)
    row = service.generate(session, _principal(coordinator),
                           {**REQUEST, "period_start": helpers.Q1, "language": language})
    data, _, _ = service.download(session, _principal(coordinator), row["id"], "pdf")
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"brief-{language}.pdf"
    pdf.write_bytes(data)
    extracted = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                               capture_output=True, check=True, text=True).stdout
    for word in WORDS[language]:
        # logical order: each phrase comes out of the PDF as typed (pdftotext undoes the
        # visual right-to-left order), not reversed or with its letters split
        assert " ".join(word.split()) in " ".join(extracted.split()), (word, extracted[:400])
    for old in ARTIFACTS.glob(f"brief-{language}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf),
                    str(ARTIFACTS / f"brief-{language}")], check=True)
    assert len(list(ARTIFACTS.glob(f"brief-{language}-*.png"))) >= 1
