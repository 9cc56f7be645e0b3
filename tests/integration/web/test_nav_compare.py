"""The facility comparison is in the coordinators' menu (issue 18), in their language; the
menu offers it to nobody who may not open it."""
from __future__ import annotations

import pytest
from flask_babel import refresh

from server.web.i18n import COOKIE

LINK = '<a href="/facilities/compare"'


@pytest.mark.parametrize("language, word", [("en", "Compare facilities"),
                                            ("prs", "مقایسهٔ مراکز"),
                                            ("ps", "د ځایونو پرتله")])
def test_coordinators_menu_has_the_comparison(signed_in_client, language, word):
    client, _ = signed_in_client("coordinator")
    client.set_cookie(COOKIE, language)
    refresh()  # the tests' app context outlives a request: forget the locale of the last one
    html = client.get("/map", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'{LINK}>{word}</a>' in html
    assert client.get("/facilities/compare", headers={"Accept": "text/html"}).status_code == 200


@pytest.mark.parametrize("role", ["monitor", "admin"])
def test_others_are_not_offered_it(signed_in_client, role):
    client, _ = signed_in_client(role)
    html = client.get("/account", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert LINK not in html
    assert client.get("/facilities/compare", headers={"Accept": "text/html"}).status_code == 403
