"""Compression of what we send: the one home for it. Brotli (the `brotli` package, when installed)
or gzip for text — HTML, JSON, GeoJSON, JavaScript, CSS, SVG, CSV, XML — whoever sends it:

- every response, in an after_request hook: a page, an API answer, a file sent with send_file;
  a file (which has an ETag) is compressed once per encoding and kept in a small memory cache;
- static files that were precompressed at build time (`flask compress-static`, which writes
  `name.br` / `name.gz` beside each one) are sent as they are (server/core/static_files.py);
- streamed downloads (partner exports) through `stream()`, which compresses as it goes.

A response that already says Content-Encoding is left alone. A strong ETag becomes weak on a
compressed body (the bytes differ by encoding; If-None-Match compares weakly, so a 304 still
works), and Vary names Accept-Encoding.

BREACH (guessing a secret in a compressed page from its length, with attacker-chosen text
reflected beside it): the only secret repeated in our pages is the CSRF token, which each
response masks anew (server/accounts/csrf.py); session cookies are SameSite=Lax, so a cross-site
request an attacker could time does not carry the victim's session.
"""
from __future__ import annotations

import gzip
import zlib
from collections import OrderedDict
from threading import Lock
from typing import Iterable, Iterator

from flask import Flask, Response, request

try:  # optional: without it, gzip only
    import brotli
except ImportError:  # pragma: no cover - depends on the installation
    brotli = None

MIN_BYTES = 1400  # smaller bodies fit one packet anyway
MAX_BYTES = 8_000_000  # bigger whole bodies are left as they are (exports stream instead)
# (gzip level, Brotli quality) by effort: "fast" on the fly (a few ms per MB); "file" for a file
# compressed once per worker and kept (Brotli 10: a quarter of a second for 200 KB, a third
# smaller than 5); "best" at build time (`flask compress-static`).
EFFORT = {"fast": (6, 5), "file": (9, 10), "best": (9, 11)}
STREAM_LEVEL = 1  # exports: keep up with the database
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/javascript", "text/plain", "text/csv", "text/xml",
    "application/javascript", "application/json", "application/geo+json",
    "application/problem+json", "application/schema+json", "application/manifest+json",
    "application/xml", "application/vnd.oai.openapi+json", "image/svg+xml",
})
CACHE_ENTRIES = 256  # compressed files kept in memory (by ETag and encoding)


def is_compressible(mimetype: str | None) -> bool:
    return bool(mimetype) and (mimetype in COMPRESSIBLE or mimetype.endswith("+json"))


def encodings() -> tuple[str, ...]:
    """The encodings we can produce, best first."""
    return ("br", "gzip") if brotli is not None else ("gzip",)


def negotiate(available: Iterable[str] | None = None) -> str | None:
    """The best encoding the client accepts (q > 0) among `available` (default: all we make)."""
    accepted = request.accept_encodings
    for encoding in available if available is not None else encodings():
        if accepted[encoding] > 0:
            return encoding
    return None


def compress(data: bytes, encoding: str, effort: str = "fast") -> bytes:
    level, quality = EFFORT[effort]
    if encoding == "br":
        return brotli.compress(data, quality=quality)
    return gzip.compress(data, level, mtime=0)


class _Cache:
    """Compressed bodies of files by (ETag, encoding): a file is compressed once per worker."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), Lock()

    def get(self, key):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_cache = _Cache(CACHE_ENTRIES)


def add_vary(response: Response) -> None:
    if "accept-encoding" not in {v.strip().lower() for v in response.vary}:
        response.vary.add("Accept-Encoding")


def _weaken_etag(response: Response) -> None:
    tag, weak = response.get_etag()
    if tag and not weak:
        response.set_etag(tag, weak=True)


def compress_response(response: Response) -> Response:
    """Compress `response` in place when it is worth it and the client accepts it."""
    if (response.status_code < 200 or response.status_code in (204, 206, 304)
            or "Content-Encoding" in response.headers
            or not is_compressible(response.mimetype) or request.method == "HEAD"):
        return response
    length = response.content_length
    if response.is_streamed and length is None:
        return response  # a stream (an export): it compresses itself, see stream()
    if length is not None and not MIN_BYTES <= length <= MAX_BYTES:
        return response
    add_vary(response)
    encoding = negotiate()
    if encoding is None:
        return response
    tag, _weak = response.get_etag()
    key = (tag, encoding) if response.direct_passthrough and tag else None
    body = _cache.get(key) if key else None
    if body is None:
        response.direct_passthrough = False  # a file: read it (it is small, see MAX_BYTES)
        data = response.get_data()
        if not MIN_BYTES <= len(data) <= MAX_BYTES:
            return response
        body = compress(data, encoding, "file" if key else "fast")
        if key:
            _cache.put(key, body)
    else:
        unread = response.response  # send_file's file wrapper: close it with the response
        if hasattr(unread, "close"):
            response.call_on_close(unread.close)
        response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    _weaken_etag(response)
    return response


def stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """A gzip stream of `chunks`, compressed as they come (for downloads too big to hold)."""
    compressor = zlib.compressobj(STREAM_LEVEL, zlib.DEFLATED, 31)  # 31: gzip container
    try:
        for chunk in chunks:
            out = compressor.compress(chunk)
            if out:
                yield out
        yield compressor.flush()
    finally:  # a client that hangs up must still end (and audit) the export at once
        close = getattr(chunks, "close", None)
        if close:
            close()


def init_app(app: Flask) -> None:
    app.after_request(compress_response)
