"""A neutral face (issue 17 point 4) in headless Chromium: with MOBILE_APP_NAME, MOBILE_APP_ICON
and MOBILE_APP_FACE set, nothing the installed app shows names the project, in any of its
languages and on any of its screens: the page title of each screen, the visible text (and the
texts read aloud: aria-label, alt, title, placeholder), the manifest, the service worker, the
icons' addresses and the passkey's name in the phone's passkey list. The unlock screen is a
calculator: the PIN typed on its keys followed by "=" unlocks; a wrong one shows a number."""
from __future__ import annotations

import json

import pytest

from tests.browser.conftest import wait_until
from tests.browser.test_mobile_vault import (  # noqa: F401
    add_authenticator,
    authenticator,
    localhost,
    monitor,
    phone,
    start_without_prf,
)

pytestmark = pytest.mark.browser
PIN = "482916"
NAME = "Calculator"
# The project's name as the app's languages write it. In Dari "نظارت" is also the plain noun
# "oversight", which the deployment's visit form uses as a group's title (the form's own words,
# not the app's): those titles are left out of the check for that spelling only.
NAMES = ("nezarat", "نظارت")

# What a person holding the phone can read (or hear read): the title, the visible text, the
# labels for screen readers, the manifest, the service worker and the icons the page names.
WHAT_SHOWS = """async () => {
  const attrs = [...document.querySelectorAll("[aria-label],[alt],[title],[placeholder]")]
    .flatMap((e) => ["aria-label", "alt", "title", "placeholder"].map((a) => e.getAttribute(a) || ""));
  const options = [...document.querySelectorAll("option")].map((o) => o.textContent);
  const icons = [...document.querySelectorAll("link[rel~=icon],link[rel=apple-touch-icon],meta[name]")]
    .map((l) => l.getAttribute("href") || l.getAttribute("content") || "");
  const formWords = [...document.querySelectorAll("fieldset.group > legend")].map((l) => l.innerText);
  return {title: document.title, text: document.body.innerText, attrs, options, icons, formWords};
}"""


def named(value) -> list[str]:
    blob = json.dumps(value, ensure_ascii=False).lower()
    return [name for name in NAMES if name in blob]


def app_words(seen: dict) -> dict:
    """What the app itself shows: the form's group titles taken out of the visible text."""
    text = seen["text"]
    for words in seen["formWords"]:
        text = text.replace(words, "")
    assert "nezarat" not in json.dumps(seen["formWords"]).lower()
    return {**seen, "text": text, "formWords": []}


def shows(page, screen: str) -> dict:
    seen = page.evaluate(WHAT_SHOWS)
    assert seen["title"] == NAME, (screen, seen["title"])
    return seen


def every_language(page, screen: str) -> None:
    for code in ("en", "prs", "ps"):
        page.select_option("#lang", code)
        seen = shows(page, f"{screen} ({code})")
        assert named(app_words(seen)) == [], (screen, code, seen)
    page.select_option("#lang", "en")


def test_a_neutral_face_names_the_project_nowhere_on_the_phone(phone, monitor, authenticator,  # noqa: F811
                                                                live_server):
    live_server.config.update(MOBILE_APP_NAME=NAME, MOBILE_APP_ICON="calculator",
                              MOBILE_APP_FACE="calculator")
    page, context = phone.page, phone.context
    base = localhost(monitor)
    page.goto(base + "/m/")
    page.wait_for_selector("[data-screen=signin][data-mode=pin]")
    every_language(page, "sign-in")
    # Shell files as the installed app gets them.
    for path in ("/m/manifest.webmanifest", "/m/sw.js", "/m/"):
        body = page.evaluate("(p) => fetch(p).then(r => r.text())", path)
        assert named(body) == [], (path, [line for line in body.splitlines()
                                          if any(n in line.lower() for n in NAMES)])
    manifest = page.evaluate("fetch('/m/manifest.webmanifest').then(r => r.json())")
    assert manifest["name"] == manifest["short_name"] == NAME
    assert all("/icons/calculator/" in icon["src"] for icon in manifest["icons"])

    # A shell cache of an earlier version, named as they were before: replaced like any other.
    page.evaluate("caches.open('nezarat-shell-0123456789abcdef')")
    page.fill("textarea[name=token]", monitor.token)
    page.fill("input[name=pin]", PIN)
    page.fill("input[name=pin2]", PIN)
    page.click("[data-screen=signin] button[type=submit]")
    page.wait_for_selector("[data-screen=home] [data-action=new]")
    every_language(page, "home")
    # The passkey is listed on the phone under the face's name.
    cdp, authenticator_id = authenticator
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert named(credential) == [] and credential["rpId"] == "localhost"
    assert credential["userName"] == credential["userDisplayName"] == NAME

    page.click("[data-action=new]")
    page.wait_for_selector("[data-screen=form]")
    every_language(page, "form")
    page.click("[data-action=save]")
    page.wait_for_selector("[data-screen=home]")

    # The installed app opened again, offline: the calculator. A wrong PIN is only a number.
    page.evaluate("navigator.serviceWorker.ready")
    wait_until(page, "caches.keys().then(k => k.length > 1)")
    shells = page.evaluate("caches.keys()")
    assert [n for n in shells if "shell-" in n] == [n for n in shells if n.startswith("shell-")] != []
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("[data-screen=unlock][data-face=calculator]")
    every_language(page, "unlock")
    for key in "123456=":
        page.click(f'[data-key="{key}"]')
    wait_until(page, "document.querySelector('[data-role=display]').textContent === '123456'")
    assert page.locator("[data-screen=home]").count() == 0
    for key in "C12+30=":
        page.click(f'[data-key="{key}"]')
    wait_until(page, "document.querySelector('[data-role=display]').textContent === '42'")
    for key in "C" + PIN + "=":
        page.click(f'[data-key="{key}"]')
    page.wait_for_selector("[data-screen=home] [data-action=new]")
    assert shows(page, "home again")["title"] == NAME
    assert page.errors == []


def test_the_default_face_is_nezarat(phone, monitor):  # noqa: F811
    page = phone.page
    add_authenticator(phone.context, page)
    page.goto(localhost(monitor) + "/m/")
    page.wait_for_selector("[data-screen=signin]")
    assert page.title() == "Nezarat"
    page.select_option("#lang", "prs")
    assert page.title() == "نظارت"


def test_the_calculator_on_a_phone_without_prf_takes_a_passphrase_it_can_type(phone, monitor,  # noqa: F811
                                                                              live_server):
    """Without PRF the key is a passphrase, and the calculator's keys are all there is to type it
    on: the app asks for digits only (still strong enough), so that the monitor is never locked
    out by a passphrase the unlock screen cannot take."""
    live_server.config.update(MOBILE_APP_NAME=NAME, MOBILE_APP_ICON="calculator",
                              MOBILE_APP_FACE="calculator")
    page = phone.page
    start_without_prf(phone.context, page, monitor)
    assert page.get_attribute("input[name=pin]", "inputmode") == "numeric"
    for weak, reason in (("quartz lantern mosaic 47 drizzle", "Digits only"),
                         ("123456789012345", "Too easy to guess offline: use at least 18 digits"),
                         ("12345678", "Too easy to guess offline: use at least 18 digits")):
        page.fill("input[name=pin]", weak)
        page.fill("input[name=pin2]", weak)
        page.click("[data-screen=signin] button[type=submit]")
        wait_until(page, "document.querySelector('[data-screen=signin] .error')?.textContent"
                         f".startsWith({reason!r})")
    secret = "840291573368209174"  # 18 random digits: ~10^16 guesses by zxcvbn
    page.fill("input[name=pin]", secret)
    page.fill("input[name=pin2]", secret)
    page.click("[data-screen=signin] button[type=submit]")
    page.wait_for_selector("[data-screen=home] [data-action=new]")
    page.reload()
    page.wait_for_selector("[data-screen=unlock][data-face=calculator]")
    for key in secret + "=":
        page.click(f'[data-key="{key}"]')
    page.wait_for_selector("[data-screen=home] [data-action=new]", timeout=20_000)
    assert page.errors == []
