"""Every coordinator and admin page, in English, Dari and Pashto (issue 18):

- in Dari and Pashto no English UI word is left: the visible text, less what is data (inside
  <bdi>, <code>, dir="ltr", user-typed names and e-mails) and brand names, has no Latin word;
- axe-core (npm, loaded into the page only here) finds no accessibility violation, English and
  Dari;
- a screenshot of each in tests/artifacts/.
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest

from server.core.access import Principal
from server.core.db import db
from server.forms import service as forms
from tests import factories, xlsforms
from tests.browser import workspace_data
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT = 20_000
# Names that stay as they are in every language.
BRANDS = {"Nezarat", "ODK", "Collect", "Enketo", "API", "QR", "URL", "CSV", "GeoJSON", "JSON",
          "UTC", "HXL", "TOTP", "Natural", "Earth", "GeoNames", "CC", "BY", "Leaflet", "OGC",
          "HTTP", "Basic", "Authorization", "Bearer", "OpenAPI", "PIN", "ID", "km", "English",
          "SMTP", "ISO", "alpha", "AFG", "PDF", "HTML", "XML", "JPEG", "PNG", "WebP",
          "XLSForm",  # the name of the form standard  # AFG: the example of an ISO code
          "LGBTQI"}  # kept as is in the Dari and Pashto profile labels (server/data)
# What a page shows that is data, not UI: skipped by the English-words check.
DATA = ("bdi, code, kbd, samp, pre, [dir=ltr], [translate=no], input, textarea, select, script, "
        "style, "
        # the map's facility and town names (geodata: GeoNames towns have Latin names only),
        # the review cards' titles and values
        # (records' names and places; their labels, <dt>, are checked)
        ".leaflet-marker-pane, .leaflet-tooltip-pane, .nz-town-label, .nz-item-title, .nz-review-item dd")
VISIBLE_TEXT = """(skip) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || parent.closest('[hidden], [aria-hidden=true]')) {
      continue;
    }
    const style = getComputedStyle(parent);
    if (style.display === 'none' || style.visibility === 'hidden') { continue; }
    if (node.textContent.trim()) { out.push(node.textContent.trim()); }
  }
  for (const el of document.querySelectorAll('[title], [alt], [aria-label], [placeholder]')) {
    if (el.closest(skip) && !el.matches('input, select, textarea')) { continue; }
    if (el.querySelector('bdi')) { continue; }  // a name's full form, e.g. an organisation's
    for (const name of ['title', 'alt', 'aria-label', 'placeholder']) {
      if (el.getAttribute(name)) { out.push(el.getAttribute(name)); }
    }
  }
  return out;
}"""
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")
EMAIL = re.compile(r"\S+@\S+|\S*/\S*|\S+\.\*")  # e-mail addresses, paths, URLs, auth.*


@pytest.fixture()
def people(live_server, coordinator):
    """A coordinator with demo-like data, an admin, and one of everything the admin pages list."""
    with live_server.app_context():
        workspace_data.load(db.session, coordinator.organisation_id)
        admin = factories.user(db.session, role="admin", name="Admin Person")
        monitor = factories.user(db.session, role="monitor", name="Monitor Person")
        db.session.commit()
        form = forms.upload(db.session, Principal(kind="user", user_id=admin.id,
                                                  organisation_id=coordinator.organisation_id,
                                                  role="admin"),
                            "rapid.xlsx", xlsforms.rapid(),
                            {"districts.csv": xlsforms.DISTRICTS_CSV})
        account = SimpleNamespace(email=admin.email, totp_secret=admin.totp_secret,
                                  totp_last_step=None)
        return SimpleNamespace(admin=account, monitor_id=str(monitor.id),
                               organisation_id=str(admin.organisation_id),
                               form_version_id=str(form.id))


def pages_of(role: str, people) -> list[str]:
    common = ["/devices", "/devices/profile-card", "/forms", f"/forms/{people.form_version_id}", "/account", "/account/password", "/account/two-factor"]
    if role == "coordinator":
        return ["/map", "/review", "/facilities/compare", "/notifications", "/briefs", *common]
    return ["/admin/users", f"/admin/users/{people.monitor_id}", "/admin/organisations",
            f"/admin/organisations/{people.organisation_id}", "/admin/partner-keys",
            "/admin/audit", *common]


class Requests:
    """The page's requests still waiting for an answer."""

    def __init__(self, page):
        self.open: set = set()
        page.on("request", self.started)
        page.on("requestfinished", self.ended)
        page.on("requestfailed", self.ended)

    def started(self, request) -> None:
        self.open.add(request)

    def ended(self, request) -> None:
        self.open.discard(request)


# Read in the page after two animation frames (whatever the page's scripts had queued has run and
# been laid out): the document and its frames have loaded, and so have its images and fonts.
LOADED = """() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => {
  const frames = Array.from(document.querySelectorAll('iframe'), (f) => f.contentDocument);
  done([document, ...frames].every((d) => d && d.readyState === 'complete'
       && d.fonts.status === 'loaded' && Array.from(d.images).every((i) => i.complete)));
})))"""


def settle(page, requests: Requests, path: str) -> None:
    """The page has settled: what its own scripts load, they say they have (the map, the review
    queue, the comparison table; a form's preview sets data-ready on its frame's body; the other
    pages run no script), everything it asked for has been answered, and it has loaded whole."""
    if path == "/map":
        page.wait_for_selector("#nz-map[data-ready=true]", timeout=TIMEOUT)
        page.wait_for_selector("#nz-map[data-incident-loads]", timeout=TIMEOUT)
    elif path == "/review":
        page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)
    elif path == "/facilities/compare":
        page.wait_for_selector(".nz-compare-table[data-ready=true]", timeout=TIMEOUT)
    elif path.startswith("/forms/"):
        page.frame_locator("iframe[data-role=preview]").locator(
            "body[data-ready=yes]").wait_for(timeout=TIMEOUT)
    deadline = time.monotonic() + TIMEOUT / 1000
    # A request the page makes is reported before the answer to the evaluation that follows it.
    while requests.open or not page.evaluate(LOADED) or requests.open:
        assert time.monotonic() < deadline, f"the page never settled: {requests.open}"
        page.wait_for_timeout(25)  # lets Playwright deliver the events


def english_words(page) -> list[str]:
    words = []
    for text in page.evaluate(VISIBLE_TEXT, DATA):
        text = EMAIL.sub(" ", text)
        words += [w for w in WORD.findall(text) if w.strip("'’-") not in BRANDS]
    return sorted(set(words))


def with_axe(context) -> None:
    """axe in every document the context opens, frames too, before the page's own scripts (it
    only defines window.axe): cheaper than adding it to each page afterwards, which sends and
    compiles the whole script every time."""
    context.add_init_script(path=str(AXE))


def axe_violations(page) -> list[tuple[str, int, str]]:
    """What axe finds in the page and in its frames (axe in a page asks the one in each frame;
    a frame without one would be skipped after half a second)."""
    for frame in page.frames:
        if not frame.evaluate("typeof axe !== 'undefined'"):
            frame.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], len(v["nodes"]), v["nodes"][0]["target"][0] if v["nodes"] else "")
            for v in result["violations"]]


def visit_all(browser, live_server, account, role, people, artifacts, checks) -> dict:
    """Every page of `role` in each language of `checks` (language -> the checks run there),
    each saved as a screenshot; the problems found, by language and page."""
    base = live_server.config["LIVE_URL"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  bypass_csp=True)  # axe may be added as an inline script
    with_axe(context)
    page = context.new_page()
    requests = Requests(page)
    sign_in(page, base, account, "/account")
    found = {}
    try:
        for language, language_checks in checks.items():
            for index, path in enumerate(pages_of(role, people)):
                # The first page in each language through the language switch (it redirects).
                page.goto(f"{base}/language/{language}?next={quote(path)}" if index == 0
                          else base + path)
                assert urlsplit(page.url).path == path  # (the map adds its view to the query)
                settle(page, requests, path)
                slug = re.sub(r"[0-9a-f-]{36}", "one", path.strip("/")).replace("/", "-")
                # JPEG: for a person to look at (PNG would take longer to encode).
                page.screenshot(path=str(artifacts / f"page-{role}-{language}-{slug}.jpg"),
                                full_page=True, quality=90)
                problems = [problem for check in language_checks for problem in check(page)]
                if problems:
                    found[f"{language} {path}"] = problems
    finally:
        context.close()
    return found


def no_english(page) -> list[str]:
    return [f"English left: {word}" for word in english_words(page)]


def no_axe_violation(page) -> list[str]:
    return [f"axe: {violation}" for violation in axe_violations(page)]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm ci)")
@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_every_page_is_accessible_and_has_no_english_left(browser, live_server, coordinator,
                                                          people, role, artifacts):
    """One pass over the pages in each language: axe in English and Dari, English words in
    Dari and Pashto."""
    account = coordinator if role == "coordinator" else people.admin
    found = visit_all(browser, live_server, account, role, people, artifacts,
                      {"en": [no_axe_violation], "prs": [no_axe_violation, no_english],
                       "ps": [no_english]})
    assert found == {}, "\n".join(f"{page}: {problems}" for page, problems in found.items())
