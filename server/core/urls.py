"""Absolute URLs of this server: in links handed to people and devices (reset links, ODK
Collect's server URL) and in what the APIs answer (form downloads, next pages, OGC links).

BASE_URL when it is set; otherwise the URL the request came to, which behind a reverse proxy is
right only when the proxy is trusted (TRUSTED_PROXIES, see server/__init__.py)."""
from __future__ import annotations

from flask import current_app, has_request_context, request

FALLBACK_BASE = "http://127.0.0.1:5000"


def base_url() -> str:
    """BASE_URL when set, else the root URL this request came to."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return FALLBACK_BASE


def absolute(path: str) -> str:
    return base_url() + "/" + path.lstrip("/")
