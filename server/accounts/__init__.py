"""Accounts: organisations, users, browser sessions with CSRF and TOTP, device tokens and
partner keys. `init_app` plugs the authenticators and the CSRF check into the access gate."""
from __future__ import annotations

from flask import Flask

from ..core import access


def init_app(app: Flask) -> None:
    from . import authn, cli, csrf, sessions
    app.session_interface = sessions.ServerSessionInterface()
    for authenticator in authn.AUTHENTICATORS:
        access.register_authenticator(app, authenticator)
    csrf.init_app(app)  # after the gate (core.access), which runs first
    cli.init_app(app)
