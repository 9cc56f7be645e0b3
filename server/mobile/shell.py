"""The app shell: the files the service worker precaches, and a version that changes with them.

The shell carries no data, so it is public. Its version is a hash over every precached file, so a
changed file makes the browser install a new service worker, which fetches the new shell.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static" / "mobile"
PREFIX = "/m/"
# Loaded on demand while signing in (online), so not part of the offline shell.
NOT_PRECACHED = ("vendor/", "sw.js")


@dataclass(frozen=True)
class ShellFile:
    url: str
    path: Path


def shell_files() -> list[ShellFile]:
    files = [ShellFile(PREFIX, STATIC / "index.html"),
             ShellFile(PREFIX + "manifest.webmanifest", STATIC / "manifest.webmanifest")]
    for path in sorted(STATIC.rglob("*")):
        relative = path.relative_to(STATIC).as_posix()
        if path.is_file() and not relative.startswith(NOT_PRECACHED) and \
                relative not in ("index.html", "manifest.webmanifest"):
            files.append(ShellFile(PREFIX + "static/" + relative, path))
    return files


def version(files: list[ShellFile]) -> str:
    digest = hashlib.sha256()
    for item in files:
        digest.update(item.url.encode() + b"\0" + item.path.read_bytes())
    return digest.hexdigest()[:16]


def service_worker() -> bytes:
    """sw.js with the precache list and version filled in."""
    files = shell_files()
    source = (STATIC / "sw.js").read_text(encoding="utf-8")
    source = source.replace("__VERSION__", version(files))
    source = source.replace('["__PRECACHE__"]', json.dumps([f.url for f in files]))
    return source.encode("utf-8")
