"""Headless Chromium (Debian's) driven by Playwright, and a page that records what it did:
every request, console errors, page errors and Content-Security-Policy violations."""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import playwright
import pytest
from playwright.sync_api import sync_playwright

from server.core.db import db
from tests import factories
from tests.conftest import totp_code

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

# Chromium opens, for each window (so each browser context), a hidden omnibox popup page
# (chrome://omnibox-popup.top-chrome/) in a renderer of its own: ~0.45 s of CPU per context,
# for nothing a test looks at. Chromium reads only the last --disable-features, so Playwright's
# own list goes into ours (and the browser fixture checks that none of it was lost).
UNUSED_FEATURES = ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup"]


def playwright_disabled_features() -> list[str]:
    """The features Playwright turns off in Chromium, read from its driver ([] if not found:
    then the omnibox popup stays, and nothing else changes)."""
    bundle = Path(playwright.__file__).parent / "driver" / "package" / "lib" / "coreBundle.js"
    try:
        found = re.search(r"disabledFeatures = \[(.*?)\]", bundle.read_text(encoding="utf-8"),
                          re.S)
    except OSError:
        return []
    return re.findall(r'"(\w+)"', re.sub(r"//[^\n]*", "", found.group(1))) if found else []


def launched_switches(name: str) -> list[list[str]]:
    """Each value of switch `name` on the command line of the Chromium this process launched."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            grandparent = int(Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        # Playwright's driver (node) is this process's child, the browser the driver's.
        if "--remote-debugging-pipe" in argv and grandparent == os.getpid():
            return [a.split("=", 1)[1].split(",") for a in argv if a.startswith(f"--{name}=")]
    raise AssertionError("the browser's process was not found")


# Runs in every page before its own scripts (Playwright injects it outside the page's CSP).
RECORD_CSP = """
window.__nzCspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__nzCspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI,
                                 source: e.sourceFile, line: e.lineNumber});
});
"""


@dataclass
class PageRecord:
    requests: list[str] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)  # HTTP errors: (status, url)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def hosts(self) -> set[str]:
        return {urlsplit(url).hostname for url in self.requests
                if urlsplit(url).scheme in ("http", "https", "ws", "wss")}


@pytest.fixture(scope="session")
def browser():
    theirs = playwright_disabled_features()
    args = ARGS + ([f"--disable-features={','.join(theirs + UNUSED_FEATURES)}"] if theirs else [])
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        if theirs:
            *others, effective = launched_switches("disable-features")
            assert all(set(other) <= set(effective) for other in others), (others, effective)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    """A fresh browser context and page; `page.record` holds what happened."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.add_init_script(RECORD_CSP)
    page = context.new_page()
    record = page.record = PageRecord()
    page.on("request", lambda request: record.requests.append(request.url))
    page.on("response", lambda response: response.status >= 400 and record.failed.append(
        (response.status, response.url)))
    page.on("console", lambda message: message.type == "error" and record.console_errors.append(
        message.text))
    page.on("pageerror", lambda error: record.page_errors.append(str(error)))
    yield page
    context.close()


def csp_violations(page) -> list[dict]:
    return page.evaluate("window.__nzCspViolations || []")


@pytest.fixture()
def coordinator(live_server):
    """A coordinator (TOTP enrolled), committed so that the live server sees it."""
    with live_server.app_context():
        account = factories.user(db.session, role="coordinator")
        db.session.commit()
        return SimpleNamespace(email=account.email, totp_secret=account.totp_secret,
                               totp_last_step=None, organisation_id=account.organisation_id)


def sign_in(page, base_url: str, account, path: str = "/") -> None:
    """Through the real pages: the password form, then the TOTP code; ends on `path`."""
    page.goto(base_url + path)
    page.fill("input[name=email]", account.email)
    page.fill("input[name=password]", factories.DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/sign-in/two-factor**")
    page.fill("input[name=code]", totp_code(account))
    page.click("main form button[type=submit]")
    page.wait_for_url(base_url + path)


def assert_page_clean(page) -> None:
    """The page loaded nothing but from 127.0.0.1, kept within its CSP, and had no script or
    HTTP errors (a missing favicon aside)."""
    assert page.record.hosts() == {"127.0.0.1"}
    assert csp_violations(page) == []
    assert page.record.page_errors == []
    assert [f for f in page.record.failed if not f[1].endswith("/favicon.ico")] == []
    assert [e for e in page.record.console_errors
            if not e.startswith("Failed to load resource")] == []


def wait_until(page, expression: str, timeout: float = 15_000) -> None:
    """Poll a JavaScript expression until it is truthy. page.wait_for_function would poll it
    with eval() inside the page, which our Content-Security-Policy (rightly) forbids; each
    page.evaluate is a DevTools evaluation instead, outside the page's CSP."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:.0f} s: {expression}")
        time.sleep(0.05)
