"""Responses for partners: ETag / If-None-Match, gzip when asked, and streams."""
from __future__ import annotations

import gzip
import zlib
from typing import Iterable, Iterator

from flask import Response, request

MIN_GZIP = 1400  # smaller bodies fit one packet anyway
PAGE_LEVEL = 5  # pages: a good ratio, a few ms per MB
STREAM_LEVEL = 1  # exports: keep up with the database


def wants_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def respond(content: bytes, status: int = 200, headers: dict | None = None) -> Response:
    """A whole response: 304 when the client's If-None-Match matches our ETag, gzip when the
    client accepts it."""
    headers = dict(headers or {})
    etag = headers.get("ETag")
    vary = "Accept-Encoding, Authorization"
    if etag and status == 200 and etag.removeprefix("W/") in {
            tag.removeprefix("W/") for tag in _if_none_match()}:
        return Response(status=304, headers={"ETag": etag, "Vary": vary,
                                             "Cache-Control": headers.get("Cache-Control", "")})
    if len(content) >= MIN_GZIP and wants_gzip():
        content = gzip.compress(content, PAGE_LEVEL)
        headers["Content-Encoding"] = "gzip"
    headers["Vary"] = vary
    return Response(content, status=status, headers=headers)


def _if_none_match() -> list[str]:
    raw = request.headers.get("If-None-Match", "")
    return [tag.strip() for tag in raw.split(",") if tag.strip()]


def stream(chunks: Iterable[bytes], mimetype: str, filename: str) -> Response:
    """A streamed download, gzip-compressed on the fly when the client accepts it."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"',
               "Vary": "Accept-Encoding, Authorization", "X-Accel-Buffering": "no"}
    if wants_gzip():
        chunks = _gzipped(chunks)
        headers["Content-Encoding"] = "gzip"
    return Response(chunks, mimetype=mimetype, headers=headers, direct_passthrough=True)


def _gzipped(chunks: Iterable[bytes]) -> Iterator[bytes]:
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
