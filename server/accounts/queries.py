"""Lists of users, organisations and credentials, keyset-paginated."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Select, select, tuple_
from sqlalchemy.dialects.postgresql import UUID

from ..core.access import Principal
from ..core.db import db
from ..core.errors import ValidationFailed
from ..core.pagination import decode_cursor, encode_cursor
from .models import DeviceToken, Organisation, PartnerKey, User


def _typed(column, value):
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, UUID):
        return uuid.UUID(value)
    return value


def paged(stmt: Select, columns: tuple, cursor: str | None, limit: int,
          descending: bool = False) -> tuple[list, str | None]:
    """One page of `stmt` ordered by `columns` (the last one unique), and the next cursor."""
    if cursor:
        try:
            after = [_typed(c, v) for c, v in zip(columns, decode_cursor(cursor, len(columns)))]
        except ValueError:
            raise ValidationFailed.field("cursor", "Not a cursor this server issued.")
        key, bound = tuple_(*columns), tuple_(*after)
        stmt = stmt.where(key < bound if descending else key > bound)
    stmt = stmt.order_by(*[c.desc() if descending else c for c in columns]).limit(limit + 1)
    rows = db.session.scalars(stmt).unique().all()
    if len(rows) <= limit:
        return list(rows), None
    last = rows[limit - 1]
    return list(rows[:limit]), encode_cursor([getattr(last, c.key) for c in columns])


def users(*, organisation_id=None, role=None, active=None, q=None, cursor=None, limit=100):
    stmt = select(User)
    if organisation_id:
        stmt = stmt.where(User.organisation_id == organisation_id)
    if role:
        stmt = stmt.where(User.role == role)
    if active is not None:
        stmt = stmt.where(User.active == active)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(User.email.ilike(pattern) | User.name.ilike(pattern))
    return paged(stmt, (User.email, User.id), cursor, limit)


def organisations(*, kind=None, cursor=None, limit=100):
    stmt = select(Organisation)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    return paged(stmt, (Organisation.name, Organisation.id), cursor, limit)


def device_tokens(principal: Principal, *, user_id=None, cursor=None, limit=100):
    """Admins see every device token; coordinators those of their organisation."""
    stmt = select(DeviceToken)
    if principal.role != "admin":
        stmt = stmt.where(DeviceToken.organisation_id == principal.organisation_id)
    if user_id:
        stmt = stmt.where(DeviceToken.user_id == user_id)
    return paged(stmt, (DeviceToken.created_at, DeviceToken.id), cursor, limit, descending=True)


def partner_keys(*, organisation_id=None, cursor=None, limit=100):
    stmt = select(PartnerKey)
    if organisation_id:
        stmt = stmt.where(PartnerKey.organisation_id == organisation_id)
    return paged(stmt, (PartnerKey.created_at, PartnerKey.id), cursor, limit, descending=True)


def monitors(principal: Principal) -> list[User]:
    """Monitors a device token may be made for, by this coordinator or admin."""
    stmt = select(User).where(User.role == "monitor", User.active)
    if principal.role != "admin":
        stmt = stmt.where(User.organisation_id == principal.organisation_id)
    return list(db.session.scalars(stmt.order_by(User.name, User.id).limit(2000)).unique())
