"""The language menu: /language/<code> remembers the choice and returns to the page."""
from __future__ import annotations

from flask import Blueprint, redirect, request

from ..core import access
from ..core.errors import NotFound
from ..core.redirects import safe_next
from .i18n import LANGUAGES, remember_choice

blp = Blueprint("language", __name__)


@blp.route("/language/<code>", methods=["GET"])
@access.access(access.public)
def choose_language(code: str):
    if code not in LANGUAGES:
        raise NotFound(f"No language {code!r}; choose one of {', '.join(LANGUAGES)}.")
    return remember_choice(redirect(safe_next(request.args.get("next")), code=303), code)
