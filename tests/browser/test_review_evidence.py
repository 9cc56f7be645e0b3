"""Issue 16: a reviewer decides on the evidence, not on a letter. For a visit made by the demo
generator, the review card shows every answer grouped by the dimension it informs, each indicator
with its result and the source of its standard, the four dimension ratings and the red flags,
exactly as the database holds them; its details draw a mini-map of the facility, the phone's
position and the incidents on the built-in base map, with every other host cut off."""
from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from server.accounts.models import Organisation
from server.core.db import db
from server.demo.submissions import one_visit
from server.scoring.standards import indicators
from server.web.method_labels import evidence_config
from tests import factories
from tests.browser.conftest import assert_page_clean, sign_in, wait_until

pytestmark = pytest.mark.browser
TIMEOUT = 20_000
DIMENSIONS = ("safety_treatment", "legal_protection", "material_conditions", "return_reception")


@pytest.fixture()
def visit(live_server, coordinator):
    """A demo visit to an Afghan border crossing with answers, returnee interviews, incidents
    and at least one red flag (the first such seed of the demo generator)."""
    with live_server.app_context():
        session = db.session
        organisation = session.get(Organisation, coordinator.organisation_id)
        facility = factories.facility(session, name="Torkham", lon=71.0847, lat=34.1147)
        monitor = factories.user(session, role="monitor", organisation=organisation)
        session.commit()
        facility_id, monitor_id = facility.id, monitor.id
        for seed in range(1, 400):
            facility = session.get(type(facility), facility_id)
            made = one_visit(session, facility, coordinator.organisation_id, monitor_id,
                             seed=seed, day=date.today() - timedelta(days=2), incidents=3)
            if made.access == "full" and made.red_flags and made.returnees:
                session.commit()
                return made.id
            session.rollback()
    raise AssertionError("no demo seed gave a visit with full access, returnees and a red flag")


def stored(live_server, visit_id):
    with live_server.app_context():
        row = db.session.execute(text("""
            SELECT observations, dimensions, red_flags, returnees, position_accuracy_m,
                   ST_X(position) AS lon, ST_Y(position) AS lat
            FROM visits WHERE id = :i"""), {"i": visit_id}).mappings().one()
        incidents = [[lon, lat] for lon, lat in db.session.execute(text(
            "SELECT ST_X(location), ST_Y(location) FROM incidents WHERE visit_id = :i"),
            {"i": visit_id})]
        return dict(row), incidents


def shown_rows(page, card: str) -> list[dict]:
    return page.evaluate("""card => Array.from(document.querySelectorAll(
        card + ' .nz-evidence tr[data-code]')).map(tr => ({
          code: tr.dataset.code, value: JSON.parse(tr.dataset.value),
          result: tr.dataset.result === undefined ? null : tr.dataset.result,
          source: tr.dataset.source || null,
          group: tr.closest('[data-group]').dataset.group,
          question: tr.querySelector('th').textContent,
          answer: tr.querySelector('.nz-evidence-answer').firstChild.textContent}))""", card)


def test_the_review_card_shows_the_evidence_as_stored(page, live_server, coordinator, visit,
                                                      artifacts):
    base = live_server.config["LIVE_URL"]
    # The network is cut: only our own server answers.
    page.context.route("**/*", lambda route: route.continue_()
                       if urlsplit(route.request.url).hostname == "127.0.0.1" else route.abort())
    sign_in(page, base, coordinator, "/review?tab=visits")
    page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)
    card = f".nz-review-item[data-id='{visit}']"
    page.click(f"{card} .nz-evidence > summary")
    row, incident_points = stored(live_server, visit)
    observations, dimensions = row["observations"], row["dimensions"]
    table = indicators()
    with live_server.test_request_context():
        questions = evidence_config("en")["questions"]

    rows = shown_rows(page, card)
    by_code: dict[str, dict] = {}
    for shown in rows:
        assert shown["code"] not in by_code, f"{shown['code']} shown twice"
        by_code[shown["code"]] = shown
    # Every answer, once, with the value stored and the form's words for a chosen answer.
    assert set(observations) <= set(by_code)
    for code, value in observations.items():
        shown = by_code[code]
        assert shown["value"] == value, code
        choices = (questions.get(code) or {}).get("choices") or {}
        if isinstance(value, str):
            assert shown["answer"] == choices[value], code
        else:
            assert float(shown["answer"]) == float(value), code
        assert shown["question"] == questions[code]["label"]
        if code in table and table[code].dimension:
            assert shown["group"] == table[code].dimension, code
            assert shown["source"] == table[code].source, code

    # Each dimension: its rating, coverage, evidence and source as stored, and each of its
    # indicators with the result stored (unobserved ones as such).
    for name in DIMENSIONS:
        entry = dimensions[name]
        line = page.locator(f"{card} .nz-evidence [data-group={name}] .nz-evidence-rating")
        rating = "insufficient_evidence" if entry["rating"] is None else str(entry["rating"])
        assert line.get_attribute("data-rating") == rating
        assert line.get_attribute("data-coverage") == (entry.get("coverage") or "")
        assert line.get_attribute("data-evidence").split() == entry.get("evidence", [])
        assert line.get_attribute("data-source") == entry.get("source", "")
        for indicator in entry["indicators"]:
            shown = by_code[indicator["code"]]
            assert (shown["group"], shown["result"]) == (name, indicator["result"])
            if indicator["code"] not in observations:
                assert shown["value"] == indicator["value"]
        for code in entry["unobserved"]:
            assert (by_code[code]["group"], by_code[code]["result"]) == (name, "not_observed")
    words = page.inner_text(f"{card} .nz-evidence [data-group=safety_treatment] "
                            ".nz-evidence-rating")
    rating = dimensions["safety_treatment"]["rating"]
    assert (words.startswith("Rating: insufficient evidence") if rating is None
            else words.startswith(f"Rating: {rating} · "))

    # The red flags, each under its dimension, as stored.
    flags = page.evaluate("""card => Array.from(document.querySelectorAll(
        card + ' .nz-evidence li[data-flag]')).map(li => [li.dataset.flag, li.dataset.state,
          li.dataset.source, Number(li.dataset.count),
          li.closest('[data-group]').dataset.group])""", card)
    assert sorted(map(tuple, flags)) == sorted(
        (f["code"], f["state"], f["source"], f["count"], f["dimension"])
        for f in row["red_flags"])

    # The returnee interviews, every answer of every group.
    groups = page.evaluate("""card => Array.from(document.querySelectorAll(
        card + ' .nz-returnee-group')).map(dl => Object.fromEntries(Array.from(
          dl.querySelectorAll('dd[data-field]')).map(dd => [dd.dataset.field,
                                                           JSON.parse(dd.dataset.value)])))""",
                           card)
    assert groups == row["returnees"]

    # The mini-map in the details: the facility, the phone and its accuracy, the incidents,
    # on the built-in base map, with nothing fetched from anywhere but our server.
    page.click(f"{card} .nz-action-details")
    holder = f"{card} .nz-minimap-map"
    page.wait_for_selector(f"{holder}[data-ready=true]", timeout=TIMEOUT)
    wait_until(page, f"document.querySelectorAll(\"{holder} path.nz-land\").length > 0")
    assert page.locator(f"{holder} path.nz-minimap-facility").count() == 1
    assert page.locator(f"{holder} path.nz-minimap-device").count() == 1
    assert page.locator(f"{holder} path.nz-minimap-accuracy").count() == 1
    assert page.locator(f"{holder} path.nz-minimap-incident").count() == len(incident_points)
    points = json.loads(page.get_attribute(holder, "data-points"))
    assert points["facility"] == [34.1147, 71.0847]
    assert points["device"] == pytest.approx([row["lat"], row["lon"]], abs=1e-6)
    assert sorted(points["incidents"]) == sorted([round(lat, 6), round(lon, 6)]
                                                 for lon, lat in incident_points)
    box = page.locator(holder).bounding_box()
    for marker in ("facility", "device"):
        spot = page.locator(f"{holder} path.nz-minimap-{marker}").bounding_box()
        assert box["x"] <= spot["x"] <= box["x"] + box["width"]
        assert box["y"] <= spot["y"] <= box["y"] + box["height"]
    page.locator(card).screenshot(path=str(artifacts / "review-visit-evidence.png"))
    assert_page_clean(page)
