"""multipart/form-data of an OpenRosa submission, read from the body in memory.

The body is already bounded (MAX_SUBMISSION_BYTES), so splitting it on the boundary with bytes
operations is exact and cheap; Werkzeug's streaming decoder compiles two regular expressions
per boundary, and Collect sends a new boundary with every request (~1 ms of every submission).
"""
from __future__ import annotations

from werkzeug.http import parse_options_header

from ..core.errors import BadRequest

MAX_PARTS = 120  # Collect sends at most 100 files per request, plus the XML and the flag


def parse(body: bytes, content_type: str | None) -> dict[str, bytes]:
    """{part name: content}; a 400 naming the problem when the body is not what it says."""
    mimetype, options = parse_options_header(content_type or "")
    boundary = options.get("boundary", "")
    if mimetype != "multipart/form-data" or not 0 < len(boundary) <= 200:
        raise BadRequest("Send the submission as multipart/form-data with a boundary.")
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    chunks = (b"\r\n" + body).split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise BadRequest("The multipart body is cut short (no closing boundary).")
    if len(chunks) - 2 > MAX_PARTS:
        raise BadRequest(f"The submission has more than {MAX_PARTS} parts.")
    parts: dict[str, bytes] = {}
    for chunk in chunks[1:-1]:
        name, content = _part(chunk)
        if name in parts:
            raise BadRequest(f"The part {name!r} appears twice.")
        parts[name] = content
    return parts


def _part(chunk: bytes) -> tuple[str, bytes]:
    # After the boundary: optional spaces, CRLF, headers, an empty line, the content.
    line_end = chunk.find(b"\r\n")
    if line_end < 0 or chunk[:line_end].strip(b" \t"):
        raise BadRequest("A multipart boundary is followed by something other than a new line.")
    head, separator, content = chunk[line_end + 2:].partition(b"\r\n\r\n")
    if not separator:
        raise BadRequest("A multipart part has no blank line after its headers.")
    for line in head.split(b"\r\n"):
        key, _, value = line.decode("utf-8", "replace").partition(":")
        if key.strip().lower() == "content-disposition":
            disposition, options = parse_options_header(value.strip())
            if disposition == "form-data" and options.get("name"):
                return options["name"], content
    raise BadRequest("A multipart part has no Content-Disposition name.")
