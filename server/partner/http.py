"""Responses for partners: ETag / If-None-Match, and streams. Compression (Brotli or gzip when
asked) is server/core/compress.py's: whole responses by its after_request hook, exports here."""
from __future__ import annotations

from typing import Iterable

from flask import Response, request

from ..core import compress


def respond(content: bytes, status: int = 200, headers: dict | None = None) -> Response:
    """A whole response: 304 when the client's If-None-Match matches our ETag (compressed, when
    the client accepts it, on its way out)."""
    headers = dict(headers or {})
    etag = headers.get("ETag")
    vary = "Accept-Encoding, Authorization"
    if etag and status == 200 and etag.removeprefix("W/") in {
            tag.removeprefix("W/") for tag in _if_none_match()}:
        return Response(status=304, headers={"ETag": etag, "Vary": vary,
                                             "Cache-Control": headers.get("Cache-Control", "")})
    headers["Vary"] = vary
    return Response(content, status=status, headers=headers)


def _if_none_match() -> list[str]:
    raw = request.headers.get("If-None-Match", "")
    return [tag.strip() for tag in raw.split(",") if tag.strip()]


def stream(chunks: Iterable[bytes], mimetype: str, filename: str) -> Response:
    """A streamed download, gzip-compressed on the fly when the client accepts it."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"',
               "Vary": "Accept-Encoding, Authorization", "X-Accel-Buffering": "no"}
    if compress.negotiate(("gzip",)):
        chunks = compress.stream(chunks)
        headers["Content-Encoding"] = "gzip"
    return Response(chunks, mimetype=mimetype, headers=headers, direct_passthrough=True)
