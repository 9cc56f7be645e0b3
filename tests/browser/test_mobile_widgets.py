"""The less common question types and appearances on the phone (issue 14), drawn as ODK Collect
draws them and giving what Collect stores: a time with the phone's offset, a month-year date on
its first day, a range as a slider, a list or stars, a line and a shape of points, a box to
acknowledge ("OK"), a barcode typed, grouped thousands, a masked answer, choices in columns or
as buttons, a fixed repeat (no Add, no Remove), and the positions a form asks for
(start-geopoint, background-geopoint)."""
from __future__ import annotations

import json
import re
import shutil

from server.forms import catalog
from tests.browser.conftest import wait_until
from tests.browser.test_mobile_app import (  # noqa: F401 (fixtures)
    ROOT,
    monitor,
    phone,
    q,
    sign_in,
)

YN = [{"name": "yes", "label": "Yes"}, {"name": "no", "label": "No"}, {"name": "maybe", "label": "Maybe"}]
HERE = "34.11472 71.08472"  # the phone's position (test_mobile_app.PHONE)


def echo(name: str) -> dict:
    """A text question calculated as another's answer: what the model holds, readable."""
    return {"type": "text", "name": f"e_{name}", "label": f"Echo {name}", "bind": {"calculate": f"${{{name}}}"}}


def value(page, name: str) -> str:
    return page.input_value(q(f"e_{name}"))


def test_widgets_give_what_collect_stores(phone, monitor, tmp_path, monkeypatch):
    for path in catalog.BUILD_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    definition = json.loads((tmp_path / "nezarat_visit.json").read_text(encoding="utf-8"))
    extra = [
        {"type": "start-geopoint", "name": "w_where",
         "actions": [{"name": "odk:setgeopoint", "event": "odk-instance-first-load"}]},
        {"type": "time", "name": "w_time", "label": "Time"},
        {"type": "background-geopoint", "name": "w_moved", "trigger": ["w_time"]},
        {"type": "date", "name": "w_month", "label": "Month", "control": {"appearance": "month-year"}},
        {"type": "range", "name": "w_slide", "label": "Slide", "parameters": {"start": "-2", "end": "2", "step": "0.5"},
         "control": {"appearance": "vertical"}},
        {"type": "range", "name": "w_stars", "label": "Stars", "parameters": {"start": "1", "end": "5", "step": "1"},
         "control": {"appearance": "rating"}},
        {"type": "range", "name": "w_pick", "label": "Pick", "parameters": {"start": "1", "end": "10", "step": "3"},
         "control": {"appearance": "picker"}},
        {"type": "barcode", "name": "w_code", "label": "Code"},
        {"type": "geotrace", "name": "w_trace", "label": "Trace"},
        {"type": "geoshape", "name": "w_shape", "label": "Shape"},
        {"type": "acknowledge", "name": "w_ack", "label": "Understood?"},
        {"type": "integer", "name": "w_big", "label": "Big", "control": {"appearance": "thousands-sep"}},
        {"type": "text", "name": "w_secret", "label": "Secret", "control": {"appearance": "masked"}},
        {"type": "select one", "name": "w_cols", "label": "Cols", "choices": YN, "control": {"appearance": "columns-3"}},
        {"type": "select one", "name": "w_btn", "label": "Buttons", "choices": YN, "control": {"appearance": "no-buttons"}},
        {"type": "image", "name": "w_sketch", "label": "Sketch", "control": {"appearance": "draw"}},
        {"type": "repeat", "name": "w_fixed", "label": "Fixed", "control": {"jr:noAddRemove": "true()"},
         "children": [{"type": "text", "name": "w_in", "label": "In"}]},
    ]
    names = ["w_where", "w_time", "w_moved", "w_month", "w_slide", "w_stars", "w_pick", "w_code", "w_trace",
             "w_shape", "w_ack", "w_big", "w_sketch"]
    at = next(i for i, c in enumerate(definition["children"]) if c["name"] == "meta")
    definition["children"][at:at] = extra + [echo(n) for n in names]
    (tmp_path / "nezarat_visit.json").write_text(json.dumps(definition), encoding="utf-8")
    monkeypatch.setattr(catalog, "BUILD_DIR", tmp_path)
    catalog.forms.cache_clear()
    try:
        page = phone.page
        sign_in(page, monitor)
        page.click("[data-action=new]")
        page.wait_for_selector("[data-screen=form]")
        # start-geopoint: the phone's position when the report starts.
        wait_until(page, f"document.querySelector('{q('e_w_where')}').value.startsWith('{HERE}')", 10000)

        # time: Collect's "10:30:00.000+04:30", with the phone's offset; a background-geopoint
        # on it is taken when it changes.
        assert page.input_value(q("e_w_moved")) == ""
        page.fill(q("w_time"), "10:30")
        page.locator(q("w_time")).dispatch_event("change")
        assert re.fullmatch(r"10:30:00\.000[+-]\d\d:\d\d", value(page, "w_time")), value(page, "w_time")
        wait_until(page, f"document.querySelector('{q('e_w_moved')}').value.startsWith('{HERE}')", 10000)

        page.fill(q("w_month"), "2024-03")
        page.locator(q("w_month")).dispatch_event("change")
        assert value(page, "w_month") == "2024-03-01"

        # A range: no answer until moved; a vertical slider on its steps; stars; a list.
        slide = page.locator(f'{q("w_slide")}[type=range]')
        assert slide.get_attribute("aria-orientation") == "vertical" and value(page, "w_slide") == ""
        slide.fill("1.5")
        assert value(page, "w_slide") == "1.5"
        page.click(f'[data-q="{ROOT}/w_stars"] .star[data-value="4"]')
        assert value(page, "w_stars") == "4"
        assert page.locator(f'[data-q="{ROOT}/w_stars"] .star[aria-checked=true]').count() == 4
        assert page.locator(f'select{q("w_pick")} option').all_inner_texts()[1:] == ["1", "4", "7", "10"]
        page.select_option(f'select{q("w_pick")}', "7")
        assert value(page, "w_pick") == "7"

        page.fill(q("w_code"), "5901234123457")
        assert value(page, "w_code") == "5901234123457"

        # A line: two of the phone's positions; a shape: three typed points, closed.
        trace = f'[data-q="{ROOT}/w_trace"]'
        page.click(f"{trace} [data-role=point-here]")
        wait_until(page, f"document.querySelectorAll('{trace} .points li').length === 1", 10000)
        assert value(page, "w_trace") == ""  # one point is no line
        page.click(f"{trace} [data-role=point-here]")
        wait_until(page, f"document.querySelector('{q('e_w_trace')}').value !== ''", 10000)
        points = value(page, "w_trace").split(";")
        assert len(points) == 2 and all(p.startswith(HERE) for p in points)
        shape = f'[data-q="{ROOT}/w_shape"]'
        for point in ("34.1 71.1", "34.2 71.1", "34.2 71.2"):
            page.fill(f"{shape} [data-role=point-typed]", point)
            page.click(f"{shape} [data-role=point-add]")
        assert value(page, "w_shape") == "34.1 71.1 0 0;34.2 71.1 0 0;34.2 71.2 0 0;34.1 71.1 0 0"

        page.check(q("w_ack"))
        assert value(page, "w_ack") == "OK"
        page.uncheck(q("w_ack"))
        assert value(page, "w_ack") == ""

        page.fill(q("w_big"), "1234567")
        page.locator(q("w_secret")).focus()
        assert page.input_value(q("w_big")) == "1,234,567" and value(page, "w_big") == "1234567"
        assert page.get_attribute(q("w_secret"), "type") == "password"

        cols = page.locator(f'[data-q="{ROOT}/w_cols"] .choices')
        assert "columns-3" in cols.get_attribute("class")
        assert cols.evaluate("e => getComputedStyle(e).gridTemplateColumns.split(' ').length") == 3
        buttons = f'[data-q="{ROOT}/w_btn"]'
        page.click(f"{buttons} label.choice:has-text('Maybe')")
        assert page.is_checked(f'{q("w_btn")}[value=maybe]')
        assert page.locator(f"{buttons} input[type=radio]").first.evaluate("e => getComputedStyle(e).opacity") == "0"

        # draw: a stroke on the pad, kept as the photos are (re-encoded JPEG, stored on the phone).
        pad = page.locator(f'[data-q="{ROOT}/w_sketch"] canvas')
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + 20)
        page.mouse.down()
        page.mouse.move(box["x"] + 120, box["y"] + 90, steps=8)
        page.mouse.up()
        page.click(f'[data-q="{ROOT}/w_sketch"] [data-role=draw-use]')
        wait_until(page, f"/\\.jpg$/.test(document.querySelector('{q('e_w_sketch')}').value)", 10000)
        page.wait_for_selector(f'[data-q="{ROOT}/w_sketch"] .photo-preview img')

        # A fixed repeat: its one entry, no Add, no Remove.
        fixed = f'[data-repeat="{ROOT}/w_fixed"]'
        assert page.locator(f"{fixed} fieldset.entry").count() == 1
        assert page.locator(f"{fixed} button").count() == 0
        assert page.errors == []
    finally:
        catalog.forms.cache_clear()
