"""A brief's charts (the facility map, the incident bars) are drawn once per brief: its two
editions (the whole HTML one and the cut one the PDF is printed from) carry the same drawings.
Each was drawn twice before, a third of the time of making a brief."""
from __future__ import annotations

from datetime import date

from server.briefs import charts, render, service
from server.core.access import Principal
from tests.integration.briefs import helpers


def test_each_chart_is_drawn_once_per_brief(session, monkeypatch):
    org, coordinator, *_ = helpers.field(session)
    principal = Principal(kind="user", user_id=coordinator.id, organisation_id=org.id,
                          role="coordinator")
    checked = service._spec(session, {
        "period_kind": "quarter", "period_start": date(2025, 1, 1), "scope_kind": "all",
        "audience": "internal", "language": "en"})
    drawn = {"map": [], "bars": []}
    real_map, real_bars = charts.facility_map, charts.bars

    def facility_map(*args, **kwargs):
        drawn["map"].append(real_map(*args, **kwargs))
        return drawn["map"][-1]

    def bars(*args, **kwargs):
        drawn["bars"].append(real_bars(*args, **kwargs))
        return drawn["bars"][-1]

    editions = []
    real_html = render.html

    def html(*args, **kwargs):
        editions.append(real_html(*args, **kwargs))
        return editions[-1]

    monkeypatch.setattr(charts, "facility_map", facility_map)
    monkeypatch.setattr(charts, "bars", bars)
    monkeypatch.setattr(render, "html", html)
    made = service.make(session, principal.organisation_id, checked)
    assert len(drawn["map"]) == 1 and len(drawn["bars"]) == 1
    whole, _printed = editions  # the HTML edition, and the one the PDF is printed from
    assert made["html"] == whole
    for edition in editions:
        assert drawn["map"][0] in edition and drawn["bars"][0] in edition
    assert made["pdf"][:5] == b"%PDF-"
