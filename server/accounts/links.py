"""Absolute links handed to people and devices (reset links, ODK Collect's server URL)."""
from __future__ import annotations

from flask import current_app, has_request_context, request

FALLBACK_BASE = "http://127.0.0.1:5000"


def base_url() -> str:
    """BASE_URL when set (behind a proxy it must be), else the URL this request came to."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return FALLBACK_BASE


def absolute(path: str) -> str:
    return base_url() + "/" + path.lstrip("/")
