"""The workspace pages as the server renders them: the map's filters and settings for
coordinators only, the review queue's shell and its access, both within the CSP."""
from __future__ import annotations

import json
import re

import pytest

from server.web.i18n import COOKIE
from tests import factories

from .test_map_page import SCRIPT, config_of


def review_config(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="nz-review-config">(.*?)</script>',
                      html, re.S)
    return json.loads(match.group(1))


def test_coordinators_map_has_filters_for_coalition_members_only(session, signed_in_client):
    member = factories.organisation(session, name="Afghan Returnee Rights Monitor")
    factories.organisation(session, name="A partner agency", kind="partner")
    client, _ = signed_in_client("coordinator")
    html = client.get("/map").get_data(as_text=True)
    assert f'name="organisation" value="{member.id}"' in html
    assert "A partner agency" not in html  # partners are not reporting organisations
    for code in ("AFG", "IRN", "PAK"):
        assert f'name="country" value="{code}"' in html
    assert 'name="type" value="sgbv"' in html and 'name="severity" value="5"' in html
    workspace = config_of(html)["workspace"]
    assert workspace["exportUrl"] == "/api/map/export"
    assert workspace["reviewUrl"] == "/review"
    assert workspace["historyUrl"] == "/api/map/facilities/{id}/history"
    assert workspace["staleAfterDays"] == 90
    assert workspace["typeLabels"]["pushback"] == "Pushback / denial of entry"
    assert set(workspace["areaLabels"]) == {"safety_treatment", "legal_protection",
                                            "material_conditions", "return_reception"}
    assert set(workspace["ringLabels"]) == {"red_flag", "1", "2", "insufficient", "3", "4",
                                            "none"}
    assert "death" in workspace["redFlagLabels"]


def test_others_see_the_registry_without_the_workspace(signed_in_client):
    for role in ("monitor", "admin"):
        client, _ = signed_in_client(role)
        html = client.get("/map").get_data(as_text=True)
        config = config_of(html)
        assert config["workspace"] is None
        assert config["facilitiesUrl"] == "/api/facilities?limit=1000"
        assert 'id="nz-filters"' not in html


def test_labels_follow_the_language(signed_in_client):
    client, _ = signed_in_client("coordinator")
    client.set_cookie(COOKIE, "prs")
    workspace = config_of(client.get("/map").get_data(as_text=True))["workspace"]
    assert workspace["typeLabels"]["pushback"] == "پس‌زدن در مرز / منع ورود"
    queue = review_config(client.get("/review").get_data(as_text=True))
    assert queue["typeLabels"]["forced_return"].startswith("بازگشت اجباری")


def test_review_queue_page(session, signed_in_client):
    client, _ = signed_in_client("coordinator")
    response = client.get("/review")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    config = review_config(html)
    assert (config["tab"], config["status"], config["facility"]) == ("incidents", "submitted",
                                                                     None)
    assert config["incidentsUrl"] == "/api/incidents"
    assert config["duplicatesUrl"] == "/api/incidents/duplicates"
    assert config["visitsUrl"] == "/api/visits"
    assert '<a href="/review"' in html  # the menu
    for script in SCRIPT.finditer(html):
        if 'type="application/json"' not in script.group("attrs"):
            assert 'src="/static/gen/' in script.group("attrs")
    assert " style=" not in html and "<style" not in html


def test_review_queue_of_one_facility(session, signed_in_client):
    facility = factories.facility(session, name="Torkham")
    client, _ = signed_in_client("coordinator")
    html = client.get(f"/review?tab=visits&status=has_issues&facility={facility.id}") \
        .get_data(as_text=True)
    config = review_config(html)
    assert (config["tab"], config["status"], config["facility"]) == (
        "visits", "has_issues", str(facility.id))
    assert "Torkham" in html
    assert f'/review?tab=duplicates&amp;status=has_issues&amp;facility={facility.id}' in html


@pytest.mark.parametrize("query, status", [
    ("tab=everything", 422), ("status=verified", 422), ("facility=12", 422),
    ("facility=8f0e1f5e-4a59-4b1f-9d35-0b1b7bb4c0de", 404), ("colour=red", 422)])
def test_review_queue_refuses_bad_links(signed_in_client, query, status):
    client, _ = signed_in_client("coordinator")
    response = client.get(f"/review?{query}", headers={"Accept": "text/html"})
    assert response.status_code == status
    assert response.mimetype == "text/html"


def test_review_queue_is_for_coordinators(client, signed_in_client):
    assert client.get("/review", headers={"Accept": "text/html"}).status_code == 302
    for role in ("monitor", "admin"):
        other, _ = signed_in_client(role)
        assert other.get("/review", headers={"Accept": "text/html"}).status_code == 403
        assert 'href="/review"' not in other.get("/account").get_data(as_text=True)
