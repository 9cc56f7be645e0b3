"""The settings QR code that configures ODK Collect for one device token in one scan.

Collect reads zlib-deflated, base64-encoded JSON (the format ODK Central uses). The server URL
carries the token in its path (`/key/<token>`), to which Collect appends `/formList` and
`/submission`. The project name is deliberately bland: phones get searched at checkpoints.
"""
from __future__ import annotations

import base64
import json
import zlib

from ..core.urls import absolute
from .qr import svg_data_uri

PROJECT_NAME = "Field forms"


def server_url(token: str) -> str:
    return absolute(f"/key/{token}")


def collect_settings(token: str, project_name: str = PROJECT_NAME) -> dict:
    return {"general": {"server_url": server_url(token), "form_update_mode": "match_exactly",
                        "autosend": "wifi_and_cellular"},
            "project": {"name": project_name}, "admin": {}}


def encode(settings: dict) -> str:
    raw = json.dumps(settings, separators=(",", ":")).encode()
    return base64.b64encode(zlib.compress(raw)).decode()


def decode(code: str) -> dict:
    """The inverse of `encode` (what Collect does when it scans the code)."""
    return json.loads(zlib.decompress(base64.b64decode(code)))


def qr_code(token: str) -> tuple[str, str]:
    """(settings code, SVG data URI of its QR code)."""
    code = encode(collect_settings(token))
    return code, svg_data_uri(code)
