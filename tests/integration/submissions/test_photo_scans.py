"""The progressive-JPEG CPU bomb (issue 11, finding 8): a 6000x6000 grey JPEG of ~130 KB made of
883 scans, which cost seconds of CPU to decode and was stored. Its scans are counted from the
bytes before anything is decoded, and beyond MAX_JPEG_SCANS it is refused with a 422 naming
the problem; ordinary progressive photos still go through."""
from __future__ import annotations

import io
import os
import time

import pytest
from PIL import Image
from sqlalchemy import text

from server.attachments import jpeg_lossless, jpeg_scans, photos
from server.core.errors import ValidationFailed
from tests import photos as samples
from tests.integration.submissions.test_json_api import report

MAX = 40_000_000


def progressive(size=(640, 480), **options) -> bytes:
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", progressive=True, quality=85, **options)
    return out.getvalue()


def test_the_scan_bomb_is_a_real_jpeg_with_883_scans():
    """Not a damaged file that would be refused anyway: Pillow decodes a small one of the same
    make, libjpeg-turbo copies it without a single warning."""
    small = samples.progressive_scan_bomb(64, 48)
    image = Image.open(io.BytesIO(small))
    image.load()
    assert image.size == (64, 48) and image.getextrema() == (128, 128)
    # TJFLAG_STOPONWARNING: a bogus progression would fail; 421 scans are within its limit,
    assert jpeg_lossless.strip(samples.progressive_scan_bomb(64, 48, bands=30))
    with pytest.raises(ValueError, match="more than 500 scans"):  # 883 are not (LIMITSCANS)
        jpeg_lossless.strip(small)
    bomb = samples.progressive_scan_bomb()
    assert Image.open(io.BytesIO(bomb)).size == (6000, 6000) and len(bomb) < 140_000
    assert jpeg_scans.scans(bomb, 10_000) == 883


def test_scans_are_counted_as_the_decoder_sees_them():
    assert jpeg_scans.scans(samples.jpeg_with_gps(), 100) == 1
    assert jpeg_scans.scans(progressive(), 100) == 10  # libjpeg's standard progression
    # EXIF, XMP, ICC and a comment before the picture, bytes after it: skipped, not counted
    assert jpeg_scans.scans(samples.jpeg_with_everything(), 100) == 1
    assert jpeg_scans.scans(samples.mpo_with_depth_map(), 100) == 1  # the first picture only
    assert jpeg_scans.scans(samples.progressive_scan_bomb(64, 48), 5) == 6  # stops counting
    assert jpeg_scans.scans(samples.SCRIPT, 5) == 0


def test_the_883_scan_jpeg_is_refused_before_it_is_decoded():
    bomb = samples.progressive_scan_bomb()
    started = time.process_time()
    with pytest.raises(ValidationFailed) as info:
        photos.prepare(bomb, "bomb.jpg", MAX)
    assert time.process_time() - started < 0.5  # decoding it costs seconds
    assert "bomb.jpg" in info.value.errors
    assert f"more than {photos.MAX_JPEG_SCANS} scans" in info.value.detail


def test_progressive_photos_are_still_accepted(app):
    with app.app_context():
        stored = photos.save(photos.prepare(progressive(), "p.jpg", MAX))
    assert stored.media_type == "image/jpeg" and (stored.width, stored.height) == (640, 480)


def test_the_bomb_sent_as_a_photo_is_a_422_and_nothing_is_stored(client, session, field):
    _, _, facility, auth = field
    body = report(facility.id, photos=["cell.jpg"])
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    started = time.process_time()
    put = client.put(f"/api/submissions/{body['id']}/photos/cell.jpg",
                     data=samples.progressive_scan_bomb(), headers=auth,
                     content_type="image/jpeg")
    assert time.process_time() - started < 1.0
    assert put.status_code == 422 and put.mimetype == "application/problem+json"
    assert "scans" in put.get_json()["detail"] and "cell.jpg" in put.get_json()["errors"]
    assert session.execute(text(
        "SELECT count(*) FROM attachments WHERE sha256 IS NOT NULL")).scalar() == 0


def test_the_bomb_through_openrosa_is_refused_with_its_xml_and_stores_nothing(odk):
    """Against the served app, with real commits: the report and its bomb are one upload, so
    the report is refused with it."""
    from tests.integration.submissions.test_openrosa import message, post
    from tests.openrosa_samples import submission_xml, visit_values
    xml, _ = submission_xml(visit_values(odk.ids.facility), photos=["a.jpg"])
    response = post(odk, xml, {"a.jpg": samples.progressive_scan_bomb()})
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"].startswith("text/xml")
    assert f"more than {photos.MAX_JPEG_SCANS} scans" in message(response)
    assert odk.count("SELECT count(*) FROM visits") == 0
    assert odk.count("SELECT count(*) FROM attachments") == 0
