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
    """The page's requests still waiting for an answer: a page has settled when none has been
    for QUIET seconds (Playwright's "networkidle" waits 500 ms after the last, per page)."""
    QUIET = 0.15

    def __init__(self, page):
        self.open: set = set()
        self.last = time.monotonic()
        page.on("request", self.started)
        page.on("requestfinished", self.ended)
        page.on("requestfailed", self.ended)

    def started(self, request) -> None:
        self.open.add(request)
        self.last = time.monotonic()

    def ended(self, request) -> None:
        self.open.discard(request)
        self.last = time.monotonic()

    def settle(self, page) -> None:
        deadline = time.monotonic() + TIMEOUT / 1000
        while self.open or time.monotonic() - self.last < self.QUIET:
            assert time.monotonic() < deadline, f"requests never answered: {self.open}"
            page.wait_for_timeout(25)  # lets Playwright deliver the events


def settle(page, requests: Requests, path: str) -> None:
    requests.settle(page)
    if path == "/map":
        page.wait_for_selector("#nz-map[data-ready=true]", timeout=TIMEOUT)
        page.wait_for_selector("#nz-map[data-incident-loads]", timeout=TIMEOUT)
    elif path == "/review":
        page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)
    elif path == "/facilities/compare":
        page.wait_for_selector(".nz-compare-table[data-ready=true]", timeout=TIMEOUT)


def english_words(page) -> list[str]:
    words = []
    for text in page.evaluate(VISIBLE_TEXT, DATA):
        text = EMAIL.sub(" ", text)
        words += [w for w in WORD.findall(text) if w.strip("'’-") not in BRANDS]
    return sorted(set(words))


def axe_violations(page) -> list[tuple[str, int, str]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], len(v["nodes"]), v["nodes"][0]["target"][0] if v["nodes"] else "")
            for v in result["violations"]]


def visit_all(browser, live_server, account, role, people, artifacts, checks) -> dict:
    """Every page of `role` in each language of `checks` (language -> the checks run there),
    each saved as a screenshot; the problems found, by language and page."""
    base = live_server.config["LIVE_URL"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    requests = Requests(page)
    sign_in(page, base, account, "/account")
    found = {}
    try:
        for language, language_checks in checks.items():
            page.goto(f"{base}/language/{language}?next=/account")
            for path in pages_of(role, people):
                page.goto(base + path)
                settle(page, requests, path)
                slug = re.sub(r"[0-9a-f-]{36}", "one", path.strip("/")).replace("/", "-")
                page.screenshot(path=str(artifacts / f"page-{role}-{language}-{slug}.png"),
                                full_page=True)
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
