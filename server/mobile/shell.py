"""The app shell: the files the service worker precaches, and a version that changes with them.

The shell carries no data, so it is public. Its version is a hash over every precached file, so a
changed file makes the browser install a new service worker, which fetches the new shell. The
page and the manifest are rendered with the deployment's face (face.py), and only its icon set
is precached.
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
BASEMAP_DIR = STATIC.parent / "basemap"
BASEMAP = ("borders.geojson", "towns.geojson")


@dataclass(frozen=True)
class ShellFile:
    url: str
    path: Path
    data: bytes | None = None  # rendered (the page, the manifest), else the file as it is

    def content(self) -> bytes:
        return self.data if self.data is not None else self.path.read_bytes()


# Licences, and the .br/.gz copies `flask compress-static` writes beside each file (the server
# sends those for the file itself when the browser accepts them): never files of the shell.
NOT_SHELL_SUFFIXES = (".LICENSE", ".br", ".gz")


def shell_files(face=None) -> list[ShellFile]:
    from . import face as faces  # face.py reads STATIC and PREFIX from here
    face = face or faces.Face()
    files = [ShellFile(PREFIX, STATIC / "index.html", faces.index_html(face)),
             ShellFile(PREFIX + "manifest.webmanifest", STATIC / "manifest.webmanifest",
                       faces.manifest(face))]
    icons = faces.ICON_SETS[face.icon]
    for path in sorted(STATIC.rglob("*")):
        relative = path.relative_to(STATIC).as_posix()
        if not path.is_file() or relative.startswith(NOT_PRECACHED) or \
                relative in ("index.html", "manifest.webmanifest") or \
                relative.endswith(NOT_SHELL_SUFFIXES):
            continue
        if relative.startswith("icons/") and relative.rsplit("/", 1)[0] + "/" != icons:
            continue
        files.append(ShellFile(PREFIX + "static/" + relative, path))
    # The built-in base map an incident is placed on (static/mobile/js/placemap.js), offline:
    # the borders and towns only (the provinces would double the shell).
    for name in BASEMAP:
        files.append(ShellFile("/static/basemap/" + name, BASEMAP_DIR / name))
    return files


def version(files: list[ShellFile]) -> str:
    digest = hashlib.sha256()
    for item in files:
        digest.update(item.url.encode() + b"\0" + item.content())
    return digest.hexdigest()[:16]


def service_worker(face=None) -> bytes:
    """sw.js with the precache list and version filled in."""
    files = shell_files(face)
    source = (STATIC / "sw.js").read_text(encoding="utf-8")
    source = source.replace("__VERSION__", version(files))
    source = source.replace('["__PRECACHE__"]', json.dumps([f.url for f in files]))
    return source.encode("utf-8")
