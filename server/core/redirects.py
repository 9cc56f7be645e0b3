"""The one gate for redirect targets a client chose (`next=` on the sign-in pages, the language
menu): only a path on this site passes, anything else becomes the caller's default.

Browsers are lenient where an attacker needs them to be: they drop tab, CR and LF anywhere in a
URL (so `/\t/evil.example` becomes `//evil.example`, another host), read `\\` as `/`, and some
decode percent-escapes before resolving. So a target is refused if it, or any percent-decoding
of it, holds a control or invisible character or a backslash, does not start with exactly one
`/`, or names a scheme or a host.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2000
_DECODE_ROUNDS = 3  # "%252F" -> "%2F" -> "/": every layer is checked


def _bad_char(ch: str) -> bool:
    # Cc: control (tab, CR, LF, NUL, DEL...); Cf: invisible format (zero-width...);
    # Zl/Zp: line and paragraph separators; any whitespace but a plain space.
    return (ch == "\\" or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")
            or (ch.isspace() and ch != " "))


def _same_site_path(value: str) -> bool:
    if not value.startswith("/") or value.startswith("//"):
        return False
    if any(_bad_char(ch) for ch in value):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


def is_safe(value: object) -> bool:
    """True when `value` is a same-site path, in every layer of its percent-encoding."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return False
    layer = value
    for _ in range(_DECODE_ROUNDS):
        if not _same_site_path(layer):
            return False
        decoded = unquote(layer)
        if decoded == layer:
            return True
        layer = decoded
    return False  # still encoded after several rounds: nobody legitimate does that


def safe_next(value: object, default: str | None = "/") -> str | None:
    """`value` when it is a same-site path, else `default`."""
    return value if is_safe(value) else default  # type: ignore[return-value]
