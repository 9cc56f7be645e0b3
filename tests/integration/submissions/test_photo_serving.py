"""Stored photos and their thumbnails are served only to those who may see the record they
belong to (its monitor, its organisation's coordinators), each read audited; the thumbnail is
made on the first request and carries no metadata either."""
from __future__ import annotations

import hashlib
import io
import os

import pytest
from PIL import Image
from sqlalchemy import text

from server import create_app
from server.attachments import photos as photo_files
from server.core import storage
from server.core.db import db
from tests import factories, photos
from tests.integration.submissions.test_json_api import report


@pytest.fixture()
def stored(client, session, field):
    org, monitor, facility, auth = field
    body = report(facility.id, photos=["cell.jpg"])
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    unique = photos.jpeg_with_gps(colour=tuple(os.urandom(3)))  # its thumbnail is not made yet
    put = client.put(f"/api/submissions/{body['id']}/photos/cell.jpg", data=unique,
                     headers=auth, content_type="image/jpeg")
    assert put.status_code == 201
    attachment_id, sha256 = session.execute(text(
        "SELECT id, sha256 FROM attachments WHERE visit_id = :v"), {"v": body["id"]}).one()
    return org, monitor, f"/api/attachments/{attachment_id}", sha256


def _reads(session) -> int:
    return session.execute(text(
        "SELECT count(*) FROM audit_log WHERE action = 'attachment.read'")).scalar()


def test_the_organisations_coordinator_gets_the_photo_and_a_thumbnail_made_on_demand(
        app, session, stored, signed_in_client):
    org, _, url, sha256 = stored
    coordinator, _ = signed_in_client("coordinator", organisation=org)
    with app.app_context():
        thumb_path = storage.path_for(sha256, photo_files.THUMB_SUFFIX)
    assert not thumb_path.exists()

    photo = coordinator.get(url)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["Cache-Control"] == "private, no-store"
    assert dict(Image.open(io.BytesIO(photo.data)).getexif()) == {}

    thumb = coordinator.get(f"{url}/thumbnail")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(thumb.data))
    assert image.format == "JPEG" and max(image.size) <= photo_files.THUMB_EDGE
    assert dict(image.getexif()) == {} and thumb_path.exists()
    assert coordinator.get(f"{url}/thumbnail").data == thumb.data  # kept, not made again
    assert _reads(session) == 3


def test_the_visit_shows_each_photos_chain_of_custody(app, client, session, field):
    org, _, facility, auth = field
    body = report(facility.id, photos=["cell.jpg", "later.jpg"])
    client.post("/api/submissions", json=body, headers=auth)
    original = photos.jpeg_with_everything()
    client.put(f"/api/submissions/{body['id']}/photos/cell.jpg", data=original, headers=auth,
               content_type="image/jpeg")
    visit = client.get(f"/api/visits/{body['id']}", headers=auth).get_json()
    by_name = {p["filename"]: p for p in visit["photos"]}
    assert by_name["cell.jpg"]["received_sha256"] == hashlib.sha256(original).hexdigest()
    assert by_name["cell.jpg"]["captured_at"] == "2026-11-20T09:15:02+04:30"
    assert by_name["later.jpg"]["received"] is False
    assert by_name["later.jpg"]["received_sha256"] is None


def test_the_monitor_who_sent_it_sees_it_by_device_token(client, stored, field):
    *_, auth = field
    _, _, url, _ = stored
    assert client.get(url, headers=auth).status_code == 200


def test_nobody_else_sees_it(app, client, session, stored, signed_in_client):
    org, _, url, _ = stored
    other_coordinator, _ = signed_in_client("coordinator")
    colleague = factories.user(session, role="monitor", organisation=org)
    colleague_auth = factories.bearer(factories.device_token(session, colleague))
    partner_auth = factories.bearer(factories.partner_key(session, organisation=org))
    assert client.get(url).status_code == 401
    assert other_coordinator.get(url).status_code == 404  # not told it exists
    assert other_coordinator.get(f"{url}/thumbnail").status_code == 404
    assert client.get(url, headers=colleague_auth).status_code == 404
    assert client.get(url, headers=partner_auth).status_code == 403
    assert _reads(session) == 0


def test_a_relative_storage_dir_is_where_the_app_was_started(app_config, connection, session,
                                                             field, tmp_path, monkeypatch):
    """`make run` keeps photos in ./var/storage: stored there, and served from there."""
    monkeypatch.chdir(tmp_path)
    relative = create_app({**app_config, "STORAGE_DIR": "var/storage"})
    assert relative.config["STORAGE_DIR"] == str(tmp_path / "var/storage")
    db.bind_sessions_to(relative, connection)
    client = relative.test_client()
    *_, facility, auth = field
    body = report(facility.id, photos=["cell.jpg"])
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    assert client.put(f"/api/submissions/{body['id']}/photos/cell.jpg", data=photos.png(),
                      headers=auth, content_type="image/png").status_code == 201
    attachment_id = session.execute(text("SELECT id FROM attachments WHERE visit_id = :v"),
                                    {"v": body["id"]}).scalar_one()
    assert client.get(f"/api/attachments/{attachment_id}", headers=auth).status_code == 200
    assert client.get(f"/api/attachments/{attachment_id}/thumbnail",
                      headers=auth).status_code == 200
    assert list((tmp_path / "var/storage").rglob("*.png"))
