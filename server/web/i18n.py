"""Languages of the pages: Flask-Babel, the language choice, and right-to-left layout.

The interface speaks English, Dari and Pashto. Dari has no locale of its own in CLDR/Babel; it is
Persian as written in Afghanistan (`fa_AF`), so its catalogue lives in translations/fa_AF/.
A person's explicit choice wins over the browser's Accept-Language. It is kept in a cookie of its
own rather than in the session: it must survive signing in and out (each sign-in starts a new
session), and an anonymous visitor should not need a session row just to read Dari.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, has_request_context, request
from flask_babel import Babel, get_locale

COOKIE = "nezarat_language"
COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Language:
    code: str  # what URLs, the session and user settings use (ISO 639)
    babel: str  # the Babel/CLDR locale holding its catalogue and formats
    label: str  # its own name, for the language menu
    html_lang: str  # BCP 47 tag for <html lang>, the one browsers and screen readers know
    rtl: bool


LANGUAGES = {
    "en": Language("en", "en", "English", "en", False),
    "prs": Language("prs", "fa_AF", "دری", "fa-AF", True),
    "ps": Language("ps", "ps", "پښتو", "ps", True),
}
DEFAULT = "en"
# Accept-Language tags -> our language (Iranian Persian readers read Dari best of the three).
ACCEPTED = {"en": "en", "prs": "prs", "fa-AF": "prs", "fa": "prs", "ps": "ps", "ps-AF": "ps"}
_BY_BABEL = {language.babel: language for language in LANGUAGES.values()}


def chosen_language() -> str:
    """The person's choice, else the browser's best match, else English."""
    if not has_request_context():
        return DEFAULT
    choice = request.cookies.get(COOKIE)
    if choice in LANGUAGES:
        return choice
    match = request.accept_languages.best_match(list(ACCEPTED))
    return ACCEPTED.get(match, DEFAULT) if match else DEFAULT


def remember_choice(response: Response, code: str) -> Response:
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}")
    response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=request.is_secure)
    return response


def current_language() -> Language:
    locale = get_locale()
    return _BY_BABEL.get(str(locale), LANGUAGES[DEFAULT]) if locale else LANGUAGES[DEFAULT]


def text_direction() -> str:
    """'rtl' for Dari and Pashto, else 'ltr': for <html dir> and direction-aware CSS."""
    return "rtl" if current_language().rtl else "ltr"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES",
                          str(Path(app.root_path) / "translations"))
    Babel(app, locale_selector=lambda: LANGUAGES[chosen_language()].babel)
    app.add_template_global(text_direction)
    app.add_template_global(current_language)
    app.add_template_global(LANGUAGES, "languages")
