"""Languages: English, Dari (fa_AF catalogue) and Pashto; the person's choice over the
browser's; right-to-left for Dari and Pashto; catalogues that compile."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import gettext

from server.web.i18n import COOKIE, chosen_language, current_language, text_direction

TRANSLATIONS = Path(__file__).resolve().parents[3] / "server" / "translations"


@pytest.mark.parametrize("accept,code,direction,provinces", [
    ("fa-AF,fa;q=0.8", "prs", "rtl", "ولایات"),
    ("prs", "prs", "rtl", "ولایات"),
    ("fa-IR", "prs", "rtl", "ولایات"),
    ("ps-AF,ps;q=0.9", "ps", "rtl", "ولایتونه"),
    ("en-GB,en;q=0.9", "en", "ltr", "Provinces"),
    ("de-DE,fr;q=0.5", "en", "ltr", "Provinces"),
    ("", "en", "ltr", "Provinces"),
])
def test_language_from_the_browser(app, accept, code, direction, provinces):
    with app.test_request_context(headers={"Accept-Language": accept} if accept else {}):
        assert chosen_language() == code
        assert current_language().code == code
        assert text_direction() == direction
        assert gettext("Provinces") == provinces


def test_the_choice_beats_the_browser(app):
    headers = {"Accept-Language": "en", "Cookie": f"{COOKIE}=prs"}
    with app.test_request_context(headers=headers):
        assert text_direction() == "rtl"
        assert gettext("Map") == "نقشه"
    headers = {"Accept-Language": "fa-AF", "Cookie": f"{COOKIE}=klingon"}
    with app.test_request_context(headers=headers):
        assert chosen_language() == "prs"  # a bad cookie is ignored, not an error


def test_choosing_a_language_sets_the_cookie_and_returns(client):
    response = client.get("/language/ps?next=/map%3Fzoom%3D7")
    assert response.status_code == 303
    assert response.headers["Location"] == "/map?zoom=7"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=ps;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "", "/\t/evil.example",
                                    "/%2F/evil.example", "/\r\nSet-Cookie: a=b"])
def test_no_open_redirect(client, target):
    response = client.get("/language/en", query_string={"next": target})
    if any(ord(c) < 32 for c in target):  # refused by the input guard before the view
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_the_tab_redirect_of_the_attack_report_stays_on_this_site(client):
    """Issue 11, finding 4: `/language/en?next=/%09/evil.example` answered `//evil.example`:
    a control character in the query is now refused before any view runs."""
    response = client.get("/language/en?next=/%09/evil.example")
    assert response.status_code == 400 and "Location" not in response.headers


def test_unknown_language_is_404(client):
    response = client.get("/language/xx")
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers


def test_html_attributes(app):
    with app.test_request_context(headers={"Accept-Language": "fa-AF"}):
        html = app.jinja_env.from_string(
            '{% import "_assets.html" as a %}<html {{ a.html_attributes() }}>').render()
    assert html == '<html lang="fa-AF" dir="rtl">'


@pytest.mark.parametrize("locale", ["en", "fa_AF", "ps"])
def test_catalogues_are_valid_and_compile(locale, tmp_path):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh, locale=locale)
    problems = [(message.id, errors) for message, errors in catalog.check()]
    assert problems == []  # e.g. a %(name)s placeholder lost in translation
    with open(tmp_path / "messages.mo", "wb") as fh:
        write_mo(fh, catalog)
    assert (tmp_path / "messages.mo").stat().st_size > 0
    if locale == "fa_AF":
        assert catalog["Provinces"].string == "ولایات"
    if locale != "en":  # every text of the interface has a translation
        assert [m.id for m in catalog if m.id and not m.string] == []
