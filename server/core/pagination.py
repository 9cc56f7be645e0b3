"""Keyset pagination: an opaque cursor holds the sort key of the last row of a page."""
from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

from flask import request

from .errors import ValidationFailed
from .urls import absolute


def encode_cursor(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise ValidationFailed.field("cursor", "Not a cursor this server issued.")
    if not isinstance(values, list) or len(values) != size:
        raise ValidationFailed.field("cursor", "Not a cursor this server issued.")
    return values


def next_link(cursor: str) -> str:
    """The current request's URL with `cursor` replaced."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    args.append(("cursor", cursor))
    return absolute(request.path) + "?" + urlencode(args)


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
