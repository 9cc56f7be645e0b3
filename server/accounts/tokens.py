"""Random secrets handed out once and stored only as their sha256.

The secrets carry 256 bits of randomness, so a fast hash is enough (no guessing is possible) and
keeps checking a device token cheap on every OpenRosa submission. A prefix tells what a secret
is, which lets one `Authorization` header carry either kind and lets secret scanners spot leaks.
"""
from __future__ import annotations

import hashlib
import secrets

DEVICE_PREFIX = "nzd_"
PARTNER_PREFIX = "nzp_"
RESET_PREFIX = "nzr_"


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def hint(raw: str) -> str:
    """The few characters shown in lists so people can tell their keys apart."""
    return raw[:8] + "…"
