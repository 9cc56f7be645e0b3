"""Content-addressed file storage under STORAGE_DIR: <sha256[:2]>/<sha256[2:4]>/<sha256>.<ext>."""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from flask import current_app

_WRITE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def root() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def path_for(sha256: str, suffix: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    return root() / sha256[:2] / sha256[2:4] / f"{sha256}{suffix}"


def put(data: bytes, suffix: str) -> str:
    """Store bytes once; returns their sha256."""
    digest = hashlib.sha256(data).hexdigest()
    _write_once(path_for(digest, suffix), data)
    return digest


def put_as(digest: str, data: bytes, suffix: str) -> None:
    """Store derived bytes (a thumbnail) under the digest of their original."""
    _write_once(path_for(digest, suffix), data)


def _write_once(target: Path, data: bytes) -> None:
    """Atomic: written whole under a name of this process and thread, then renamed into
    place, so a reader never sees half a file and two writers of one file do not collide.
    Folders are made the first time they are missing, not checked on every write."""
    if target.exists():
        return
    tmp = target.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{target.name}")
    try:
        fd = os.open(tmp, _WRITE, 0o600)
    except FileNotFoundError:
        tmp.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, _WRITE, 0o600)
    except FileExistsError:  # left by a crash of a thread with the same ids: start over
        tmp.unlink()
        fd = os.open(tmp, _WRITE, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
