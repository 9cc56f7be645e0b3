"""Keyset pagination, the one way every list pages: signed, typed cursors and one list shape.

A cursor holds the sort key of the last row of a page. It is signed (HMAC-SHA-256 with a key
derived from SECRET_KEY) over the list it belongs to and the caller it was issued to, so a client
can hand a cursor back but never make one, nor use one issued to someone else or for another
list. Anything else is answered 422 before a value reaches SQL. Values a page depends on that the
client must not choose (a partner's sync point, the embargo's "now") travel only inside one.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import date, datetime
from typing import Callable, Sequence
from urllib.parse import urlencode

from flask import current_app, request
from marshmallow import fields, validate

from .access import Principal, current_principal
from .errors import ValidationFailed
from .urls import absolute

NOT_ISSUED = "Not a cursor this server issued for this list and caller."
MAC_BYTES = 16
MAX_LENGTH = 1000


def CursorField(**kwargs) -> fields.String:
    """The `cursor` query argument of every list: opaque, from a `next` link."""
    return fields.String(validate=validate.Length(min=1, max=MAX_LENGTH), metadata={
        "description": "Opaque; copy it from the `next` link of the previous page. Only "
                       "cursors this server issued to you for this list are accepted."}, **kwargs)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"nezarat/cursor/v1", hashlib.sha256).digest()


def caller_of(principal: Principal) -> str:
    """Who a cursor is bound to: the credential (or person) and their organisation now."""
    who = principal.credential_id or principal.user_id
    return f"{principal.kind}:{who}:{principal.organisation_id}"


def _mac(list_name: str, caller: str, payload: bytes) -> bytes:
    message = list_name.encode() + b"\x00" + caller.encode() + b"\x00" + payload
    return hmac.new(_key(), message, hashlib.sha256).digest()[:MAC_BYTES]


def _to_text(value) -> str | int:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


TYPES: dict[str, Callable] = {
    "datetime": lambda v: _aware(datetime.fromisoformat(v)),
    "date": date.fromisoformat,
    "uuid": uuid.UUID,
    "text": lambda v: v if isinstance(v, str) else _bad(),
    "int": lambda v: v if isinstance(v, int) and not isinstance(v, bool) else _bad(),
}


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive time")
    return value


def _bad():
    raise ValueError("wrong type")


class Keyset:
    """The cursor of one list: its name (what a cursor is bound to) and the types of its key."""

    def __init__(self, name: str, *types: str):
        unknown = [t for t in types if t not in TYPES]
        if unknown:
            raise ValueError(f"unknown cursor types {unknown}")
        self.name, self.types = name, types

    def token(self, values: Sequence, principal: Principal | None = None) -> str:
        if len(values) != len(self.types):
            raise ValueError(f"{self.name}: {len(self.types)} values expected")
        payload = json.dumps([_to_text(v) for v in values], separators=(",", ":")).encode()
        caller = caller_of(principal or current_principal())
        return _b64(payload) + "." + _b64(_mac(self.name, caller, payload))

    def read(self, token: str | None, principal: Principal | None = None) -> tuple | None:
        """The typed values of a cursor issued by this server for this list and caller (None
        for no cursor); 422 for anything else."""
        if token is None:
            return None
        try:
            encoded, mac = token.split(".")
            payload = _unb64(encoded)
            caller = caller_of(principal or current_principal())
            if not hmac.compare_digest(_unb64(mac), _mac(self.name, caller, payload)):
                raise ValueError("signature")
            values = json.loads(payload)
            if not isinstance(values, list) or len(values) != len(self.types):
                raise ValueError("shape")
            return tuple(TYPES[t](v) for t, v in zip(self.types, values))
        except (ValueError, TypeError, UnicodeError, json.JSONDecodeError):
            raise ValidationFailed.field("cursor", NOT_ISSUED)


def cut(rows: list, limit: int, key: Callable) -> tuple[list, tuple | None]:
    """A page of `rows` (fetched with limit + 1) and the key of its last row while more follow."""
    page = rows[:limit]
    return page, (tuple(key(page[-1])) if len(rows) > limit and page else None)


def url_with(**replace) -> str:
    """The current request's URL with the given query arguments replaced (None: removed)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in replace]
    args += [(k, v) for k, v in replace.items() if v is not None]
    return absolute(request.path) + ("?" + urlencode(args) if args else "")


def next_link(cursor: str) -> str:
    """The current request's URL with `cursor` replaced."""
    return url_with(cursor=cursor)


def links(next_cursor: str | None, media_type: str | None = None) -> list[dict]:
    """`self`, and `next` while more remain."""
    typed = {"type": media_type} if media_type else {}
    out = [{"rel": "self", **typed, "href": url_with()}]
    if next_cursor:
        out.append({"rel": "next", **typed, "href": next_link(next_cursor)})
    return out


def listing(items: list, next_cursor: str | None, **extra) -> dict:
    """The one JSON list shape: `items`, then `links` (`self`, and `next` while more remain)."""
    return {"items": items, **extra, "links": links(next_cursor)}


def dumped(schema, rows: list, next_cursor: str | None) -> dict:
    """`listing` of rows dumped through a marshmallow schema (many=True)."""
    return listing(schema.dump(rows), next_cursor)


def page_of(keyset: Keyset, rows: list, limit: int, key: Callable) -> tuple[list, str | None]:
    """A page of `rows` (fetched with limit + 1) and the signed cursor of the next one."""
    page, last = cut(rows, limit, key)
    return page, (keyset.token(last) if last else None)


def equal_to(alias: str, **values) -> tuple[list[str], dict]:
    """`alias.column = :column` for every value given (None means: no filter)."""
    given = {column: value for column, value in values.items() if value is not None}
    return [f"{alias}.{column} = :{column}" for column in given], given


def newest_first_after(alias: str, time_column: str, after) -> tuple[list[str], dict]:
    """The keyset condition of a (time, id) DESC list after the cursor's last row."""
    if not after:
        return [], {}
    return [f"({alias}.{time_column}, {alias}.id) < "
            "(CAST(:after_at AS timestamptz), CAST(:after_id AS uuid))"], \
        {"after_at": after[0], "after_id": after[1]}
