"""Input no handler should ever see, refused at the door with a 400 that names the problem.

PostgreSQL cannot store a NUL character in text or JSON, and UTF-8 cannot carry a lone UTF-16
surrogate (JSON's "\\ud800"); Python's parsers recurse, so JSON or XML nested a hundred thousand
deep ends in a RecursionError. Each of these became a 500 somewhere deep in a handler. Here
they are refused once, for every route, before the handler runs:

- the path and the query string: no control character (NUL, CR, LF, tab...);
- an urlencoded form: no NUL character (a comment may well have line breaks);
- a JSON body: at most MAX_JSON_DEPTH levels of arrays and objects, and no NUL or lone
  surrogate in any key or string;
- XML (the OpenRosa door's parser calls `xml_prolog_problem` and counts MAX_XML_DEPTH):
  UTF-8 only, at most MAX_XML_DEPTH elements deep.

The check runs after core's access gate, so a refused call still has its caller (a partner's
refused call is audited like any other), and before every other before-request hook.
"""
from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

from defusedxml.ElementTree import DefusedXMLParser
from flask import Flask, request

from .errors import BadRequest

MAX_JSON_DEPTH = 32  # a visit report is 4 deep (incidents -> [0] -> affected -> men)
MAX_XML_DEPTH = 32   # an ODK submission is about 5 deep (root -> group -> repeat -> field)
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


class InputRefused(BadRequest):
    slug, title = "unacceptable-input", "Input refused"


def printable(value: str) -> str:
    """`value` with NUL and lone surrogates replaced by U+FFFD: storable in PostgreSQL and
    the audit log, and still showing where the odd character was."""
    if value.isascii() and "\x00" not in value:
        return value
    return _SURROGATE.sub("\ufffd", value.replace("\x00", "\ufffd"))


def _bad_text(value: str) -> str | None:
    if "\x00" in value:
        return "a NUL character"
    if not value.isascii() and _SURROGATE.search(value):
        return "a lone UTF-16 surrogate (not a character)"
    return None


def _bad_in_url(value: str) -> str | None:
    """A URL's path and query have no use for control characters; CR/LF in one ends up in a
    header (a redirect's Location), a tab hides a scheme-relative `//host`."""
    control = _CONTROL.search(value)
    if control:
        if control.group() == "\x00":
            return "a NUL character"
        return f"a control character (U+{ord(control.group()):04X})"
    return _bad_text(value)


def _check_pairs(pairs, where: str, check=_bad_text) -> None:
    for key, value in pairs:
        for text in (key, value):
            problem = check(text)
            if problem:
                raise InputRefused(f"The {where} contains {problem} (in {printable(key)!r}).")


def json_problem(document) -> str | None:
    """What is wrong with a parsed JSON document, or None: too deep, or a key or string that
    cannot be stored. Walks the document without recursion."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            problem = _bad_text(value)
            if problem:
                return f"contains {problem}"
        elif isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return f"is nested more than {MAX_JSON_DEPTH} deep"
            if isinstance(value, dict):
                for key, item in value.items():
                    problem = _bad_text(key)
                    if problem:
                        return f"contains {problem} in a key"
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
    return None


def _check_json() -> None:
    data = request.get_data(cache=True)
    if not data:
        return
    try:
        document = json.loads(data)
    except RecursionError:
        raise InputRefused(f"The JSON body is nested too deep (more than {MAX_JSON_DEPTH} "
                           "levels are refused).")
    except ValueError:
        return  # not JSON at all: the route's parser says so in its own words
    problem = json_problem(document)
    if problem:
        raise InputRefused(f"The JSON body {problem}.")


def check_request() -> None:
    """Refuse the current request's path, query, form or JSON body if a handler could not
    take them (see the module's docstring)."""
    problem = _bad_in_url(request.path)
    if problem:
        raise InputRefused(f"The path contains {problem}.")
    if request.query_string:
        _check_pairs(request.args.items(multi=True), "query string", _bad_in_url)
    mimetype = request.mimetype
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if mimetype == "application/x-www-form-urlencoded":
            # Read as bytes first (cached): request.form then parses from that copy, and a
            # JSON route still sees the body it refuses as not JSON.
            data = request.get_data(cache=True)
            if b"%00" in data or b"\x00" in data:
                _check_pairs(request.form.items(multi=True), "form")
        elif request.is_json:
            _check_json()


# --- XML ------------------------------------------------------------------------------------

_DECLARATION = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml\b([^>]*)\?>")
_ENCODING = re.compile(rb"""\bencoding\s*=\s*["']([^"']*)["']""")


def xml_prolog_problem(data: bytes) -> str | None:
    """Why an XML document is not plain UTF-8 (None when it is, or may be): a declared encoding
    other than UTF-8 (UTF-7, UTF-16, Latin-1...) or NUL bytes (UTF-16/32 without a
    declaration). Only UTF-8 is parsed: every other encoding is a way around the checks."""
    if b"\x00" in data:
        return "The XML contains NUL bytes: send it in UTF-8."
    declaration = _DECLARATION.match(data)
    if declaration:
        encoding = _ENCODING.search(declaration.group(1))
        if encoding and encoding.group(1).decode("ascii", "replace").lower() not in (
                "utf-8", "utf8"):
            name = encoding.group(1).decode("ascii", "replace")[:40]
            return f"The XML declares the encoding {name!r}: only UTF-8 is accepted."
    return None


def init_app(app: Flask) -> None:
    """Call right after core.access.init_app: the gate first, then this, then the rest."""
    app.before_request(check_request)


class XMLTooDeep(Exception):
    """More than MAX_XML_DEPTH open elements."""


class _BoundedParser(DefusedXMLParser):
    """defusedxml's parser (no DTD, no entities, no external references) that also stops at
    MAX_XML_DEPTH open elements, while reading: a tree a hundred thousand deep is never built,
    and nothing walking it can recurse too far."""

    def __init__(self):
        super().__init__(target=ET.TreeBuilder(), forbid_dtd=True, forbid_entities=True,
                         forbid_external=True)
        self._depth = 0

    def _start(self, tag, attr_list):
        self._depth += 1
        if self._depth > MAX_XML_DEPTH:
            raise XMLTooDeep()
        return super()._start(tag, attr_list)

    def _end(self, tag):
        self._depth -= 1
        return super()._end(tag)


def bounded_xml(data: bytes) -> ET.Element:
    """Parse untrusted XML whose prolog passed `xml_prolog_problem`. Raises XMLTooDeep,
    defusedxml's DefusedXmlException (DTDs, entities) or ElementTree's ParseError."""
    parser = _BoundedParser()
    parser.feed(data)
    return parser.close()
