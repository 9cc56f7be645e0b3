"""Content-addressed file storage under STORAGE_DIR: <sha256[:2]>/<sha256[2:4]>/<sha256>.<ext>."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app


def root() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def path_for(sha256: str, suffix: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    return root() / sha256[:2] / sha256[2:4] / f"{sha256}{suffix}"


def put(data: bytes, suffix: str) -> str:
    """Store bytes once; returns their sha256. Writing is atomic (temp file + rename)."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest, suffix)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, target)
    return digest


def put_as(digest: str, data: bytes, suffix: str) -> None:
    """Store derived bytes (a thumbnail) under the digest of their original."""
    target = path_for(digest, suffix)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, target)
