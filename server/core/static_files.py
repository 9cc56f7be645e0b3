"""Static files (/static/...): precompressed when they can be, cached for as long as they can be.

- `name.br` / `name.gz` beside a file (written by `flask compress-static` at build time, Brotli
  quality 11 and gzip -9) are sent instead of it when the client accepts that encoding and the
  sibling is not older than the file. Otherwise the file goes out as Flask sends it and
  server/core/compress.py compresses it (once per worker).
- Cache-Control: the bundles in gen/ carry a hash of their content in their name, and any file
  asked for with `?v=<its content hash>` (versioned_url) is that exact content too: both are
  `public, max-age=31536000, immutable`. Everything else is revalidated (`no-cache`: an ETag, a
  304 when unchanged).
"""
from __future__ import annotations

import hashlib
import mimetypes
import os
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request, send_file, url_for
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from . import compress

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASHED_DIRS = ("gen/",)  # file names carry their content's hash (server/web/assets.py)
SUFFIX = {"br": ".br", "gzip": ".gz"}
VERSION_LENGTH = 12


@lru_cache(maxsize=512)
def _content_hash(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()[:VERSION_LENGTH]


def content_hash(path: Path) -> str:
    stat = path.stat()
    return _content_hash(str(path), stat.st_mtime_ns, stat.st_size)


def versioned_url(filename: str) -> str:
    """The URL of a static file that browsers may keep for good: it names its content."""
    path = Path(current_app.static_folder) / filename
    return url_for("static", filename=filename, v=content_hash(path))


def _precompressed(path: str) -> tuple[str, str] | None:
    """(sibling path, encoding) of the best fresh precompressed copy the client accepts."""
    available = [e for e in compress.encodings() if os.path.isfile(path + SUFFIX[e])]
    encoding = compress.negotiate(available) if available else None
    if encoding is None:
        return None
    sibling = path + SUFFIX[encoding]
    if os.stat(sibling).st_mtime_ns < os.stat(path).st_mtime_ns:
        return None  # the file changed since the build: compressed on the fly instead
    return sibling, encoding


def _cache_control(filename: str, path: str) -> str:
    if filename.startswith(HASHED_DIRS):
        return IMMUTABLE
    version = request.args.get("v")
    if version and version == content_hash(Path(path)):
        return IMMUTABLE
    return REVALIDATE


def serve(filename: str) -> Response:
    """The view of the `static` endpoint."""
    folder = current_app.static_folder
    path = safe_join(folder, filename)
    if path is None or not os.path.isfile(path):
        raise NotFound()
    precompressed = _precompressed(path) if compress.is_compressible(
        _mimetype(filename)) else None
    if precompressed:
        sibling, encoding = precompressed
        response = send_file(sibling, mimetype=_mimetype(filename), conditional=True,
                             max_age=None)
        response.headers["Content-Encoding"] = encoding
        tag, _weak = response.get_etag()
        if tag:
            response.set_etag(tag, weak=True)
    else:
        response = send_file(path, mimetype=_mimetype(filename), conditional=True,
                             max_age=None)
    if compress.is_compressible(response.mimetype):
        compress.add_vary(response)
    response.headers["Cache-Control"] = _cache_control(filename, path)
    return response


def _mimetype(filename: str) -> str | None:
    if filename.endswith(".geojson"):
        return "application/geo+json"
    guessed, _encoding = mimetypes.guess_type(filename)
    return guessed


def precompress(root: Path) -> tuple[int, int, int]:
    """Write `.br` and `.gz` beside every compressible file under `root` whose copy is missing
    or older. Returns (files, bytes before, bytes after the best encoding)."""
    files = before = after = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix in (".br", ".gz"):
            continue
        if not compress.is_compressible(_mimetype(path.name)):
            continue
        data = path.read_bytes()
        if len(data) < compress.MIN_BYTES:
            continue
        sizes = []
        for encoding in compress.encodings():
            target = path.with_name(path.name + SUFFIX[encoding])
            if not target.exists() or target.stat().st_mtime_ns < path.stat().st_mtime_ns:
                temporary = target.with_name(target.name + f".{os.getpid()}.tmp")
                temporary.write_bytes(compress.compress(data, encoding, "best"))
                os.replace(temporary, target)  # several workers may build at once
            sizes.append(target.stat().st_size)
        files, before, after = files + 1, before + len(data), after + min(sizes)
    return files, before, after


def init_app(app: Flask) -> None:
    if app.static_folder:
        app.view_functions["static"] = serve
        app.add_template_global(versioned_url)

    @app.cli.command("compress-static")
    def compress_static():
        """Precompress static files (Brotli and gzip copies beside them) for fast sending."""
        import click
        files, before, after = precompress(Path(app.static_folder))
        click.echo(f"[static] {files} files precompressed: {before // 1024} KB -> "
                   f"{after // 1024} KB")
