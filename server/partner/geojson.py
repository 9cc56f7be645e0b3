"""GeoJSON documents assembled from feature text made in SQL (no parsing, no per-row objects)."""
from __future__ import annotations

import hashlib
import json


def collection(features: str, **members) -> bytes:
    """A FeatureCollection around already-serialised, comma-separated features, plus foreign
    members."""
    tail = "".join(f',"{name}":{json.dumps(value, separators=(",", ":"), default=str)}'
                   for name, value in members.items())
    return ('{"type":"FeatureCollection","features":[' + features + "]" + tail + "}").encode()


def weak_etag(*parts) -> str:
    """An ETag over what a response says (not over links that change on every call)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"\x00")
    return f'W/"{digest.hexdigest()}"'
