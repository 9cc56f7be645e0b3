"""The phone form (issue 16), on a 390×844 phone:

- an incident's exact place is placed on the built-in map with the network cut (the borders and
  towns come from the service worker's cache), not taken from the monitor's position;
- a photo picked from the gallery (no `capture`: camera or gallery) is attached once, with one
  Remove, and leaves the phone and reaches the server without its EXIF and GPS;
- sections that depend on the facility say so until one is chosen; a required mark waits for
  its question to be relevant; the form's title, the dates and every list's name are in the
  app's language.
"""
from __future__ import annotations

import io
import json
from datetime import date, timedelta

from PIL import Image
from sqlalchemy import select, text

from server.core.db import db
from server.incidents.models import Incident
from tests.browser.test_mobile_app import (  # noqa: F401 (fixtures)
    ROOT,
    choose,
    fill_counts,
    monitor,
    phone,
    photo_file,
    photo_with_gps,
    q,
    sign_in,
)

PLACE = f'[data-q="{ROOT}/incident/position"]'


def partial_access(page) -> None:
    """Partial access, with its reason, the head counts and four ratings of "insufficient
    evidence": the least a visit needs."""
    choose(page, "access/obtained", "partial")
    page.fill(q("access/denied_reason"), "The cells were closed to us")
    fill_counts(page, "people", dict(women=1, men=4, girls=0, boys=0, unaccompanied=0))
    for dimension in ("safety_treatment", "legal_protection", "material_conditions",
                      "return_reception"):
        choose(page, f"assessment/{dimension}_rating", "insufficient_evidence")
        choose(page, f"assessment/{dimension}_coverage", "none")


def test_an_incident_placed_on_the_map_offline_with_a_gallery_photo(phone, monitor,
                                                                     live_server, artifacts):
    page, context = phone.page, phone.context
    sign_in(page, monitor)
    page.click("[data-action=new]")
    page.wait_for_selector("[data-screen=form]")
    report_id = page.get_attribute("[data-screen=form]", "data-report")
    assert page.inner_text("[data-screen=form] h2") == "Visit report"

    # Before a facility is chosen: sections that depend on it say why they are empty.
    waiting = page.locator("[data-role=needs-facility]:visible")
    assert waiting.count() >= 3
    # "Why was access not full?" is not asked (nor marked required) before access is answered.
    assert page.locator(f'[data-q="{ROOT}/access/denied_reason"]').is_hidden()
    page.select_option(q("facility"), monitor.facility_id)
    assert page.locator("[data-role=needs-facility]").count() == 0
    partial_access(page)
    assert page.locator(f'[data-q="{ROOT}/access/denied_reason"] .req').is_visible()

    # Every list is named (aria-labelledby its question).
    unnamed = page.evaluate("""Array.from(document.querySelectorAll('[data-screen=form] select'))
        .filter(s => !s.labels.length && !s.getAttribute('aria-label') &&
                     !(s.getAttribute('aria-labelledby') || '').split(' ')
                        .some(id => document.getElementById(id)?.textContent.trim()))
        .map(s => s.name)""")
    assert unnamed == []

    page.click(f'[data-add="{ROOT}/incident"]')
    page.select_option(q("incident/type"), "physical_violence")
    page.fill(q("incident/occurred_on"), (date.today() - timedelta(days=1)).isoformat())
    choose(page, "incident/date_precision", "exact")
    choose(page, "incident/location_precision", "exact")

    # The network is cut: the map still draws from the service worker's cache.
    context.set_offline(True)
    page.wait_for_selector(f"{PLACE} [data-role=place-map][data-ready=true]")
    assert page.locator(f"{PLACE} [data-role=place-map] path.border.main").count() == 3
    assert page.locator(f"{PLACE} .place-facility").count() == 1
    page.click(f"{PLACE} [data-action=zoom-in]")
    view = json.loads(page.get_attribute(f"{PLACE} [data-role=place-map]", "data-view"))
    box = page.locator(f"{PLACE} [data-role=place-map]").bounding_box()
    fx, fy = 0.3, 0.7  # a tap away from the facility
    page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    expected_lon = (view["x"] + fx * view["w"]) / view["k"]
    expected_lat = -(view["y"] + fy * view["h"])
    readout = page.inner_text(f"{PLACE} [data-role=place-readout]")
    assert f"{expected_lat:.3f}"[:-1] in readout and f"{expected_lon:.3f}"[:-1] in readout
    assert page.locator(f"{PLACE} .place-point").count() == 1
    page.screenshot(path=str(artifacts / "mobile-incident-placed-offline.png"), full_page=False)

    # A photo from the gallery: attached once, one Remove for it.
    page.click(f'[data-add="{ROOT}/photos"]')
    photo_input = page.locator(q("photos/photo"))
    assert photo_input.get_attribute("capture") is None  # the camera or the gallery
    entry = page.locator(f'[data-repeat="{ROOT}/photos"] fieldset.entry')
    with photo_file("gallery.jpg", photo_with_gps(1200, 900)) as path:
        photo_input.set_input_files(files=[path])
        entry.locator(".photo-preview img").wait_for()
    assert entry.locator("button", has_text="Remove").count() == 1

    page.fill(q("incident/narrative"), "Pushed back at the river bend")
    # Issue 15: only the men are known; the other counts are left blank ("don't know"), none
    # marked required, and nothing refuses the report for it.
    assert page.locator(f'[data-q="{ROOT}/incident/affected/women"] .req').count() == 0
    fill_counts(page, "incident/affected", dict(men=3))
    page.select_option(q("incident/perpetrator"), "border_police")
    choose(page, "incident/state_responsible", "pakistan")
    choose(page, "incident/source_type", "direct_observation")
    choose(page, "incident/consent", "internal_only")
    choose(page, "incident/severity", "3")
    choose(page, "incident/follow_up", "no")
    page.click("[data-action=finish]")
    problems = page.eval_on_selector_all(
        ".q.invalid", "els => els.map(e => e.dataset.q + ': ' + e.querySelector('.error').textContent)")
    assert problems == []
    row = page.locator(f'[data-screen=home] [data-report="{report_id}"]')
    row.wait_for()
    # The outbox line: each part isolated, the date unambiguous (a month name, not 05/12).
    assert row.locator("strong bdi").count() == 2
    assert any(m in row.locator("strong").inner_text() for m in
               ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"))

    context.set_offline(False)
    page.wait_for_selector(f'[data-report="{report_id}"][data-state=sent]', timeout=30_000)
    with live_server.app_context():
        incident = db.session.scalars(select(Incident).where(
            Incident.visit_id == report_id)).one()
        lon, lat = db.session.execute(text(
            "SELECT ST_X(location), ST_Y(location) FROM incidents WHERE id = :i"),
            {"i": incident.id}).one()
        photos = db.session.execute(text(
            "SELECT count(*) FROM attachments WHERE visit_id = :v"), {"v": report_id}).scalar()
    assert incident.location_precision == "exact"
    assert (incident.affected_women, incident.affected_men, incident.affected_girls,
            incident.affected_boys, incident.affected_unaccompanied,
            incident.affected_total) == (None, 3, None, None, None, 3)  # "at least 3"
    assert abs(lat - expected_lat) < 1e-3 and abs(lon - expected_lon) < 1e-3
    # Not the phone's own position (34.11472, 71.08472), nor the facility's.
    assert abs(lat - 34.11472) + abs(lon - 71.08472) > 0.01
    assert photos == 1
    assert phone.page.errors == []


def test_the_gallery_photo_leaves_the_phone_stripped(phone, monitor, live_server):
    """What the phone uploads from a gallery photo: downscaled, no EXIF, no GPS, no camera."""
    page = phone.page
    sign_in(page, monitor)
    uploads = []
    page.on("request", lambda r: r.method == "PUT" and "/photos/" in r.url and
            uploads.append(r.post_data_buffer))
    page.click("[data-action=new]")
    page.wait_for_selector("[data-screen=form]")
    page.select_option(q("facility"), monitor.facility_id)
    partial_access(page)
    page.click(f'[data-add="{ROOT}/photos"]')
    with photo_file("IMG_2040.jpg", photo_with_gps()) as path:
        page.set_input_files(q("photos/photo"), files=[path])
        page.wait_for_selector(f'[data-repeat="{ROOT}/photos"] .photo-preview img')
    page.click("[data-action=finish]")
    problems = page.eval_on_selector_all(
        ".q.invalid", "els => els.map(e => e.dataset.q + ': ' + e.querySelector('.error').textContent)")
    assert problems == []
    page.wait_for_selector("[data-screen=home] [data-state=sent]", timeout=30_000)
    assert len(uploads) == 1
    image = Image.open(io.BytesIO(uploads[0]))
    assert max(image.size) <= 1600
    assert len(image.getexif()) == 0 and "exif" not in image.info
    assert b"SecretCam" not in uploads[0]
    assert phone.page.errors == []
