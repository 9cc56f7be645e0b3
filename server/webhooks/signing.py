"""The signature of a webhook delivery (documented in the README with a verification snippet):

    X-Nezarat-Timestamp: <unix seconds>
    X-Nezarat-Signature: v1=<hex HMAC-SHA-256(secret, timestamp + "." + body)>
"""
from __future__ import annotations

import hashlib
import hmac


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str, now: float,
           tolerance: int = 300) -> bool:
    """What a receiver does (the README's snippet, kept identical)."""
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = signature(secret, int(timestamp), body)
    return hmac.compare_digest(expected, header)
