"""Lists of users, organisations and credentials, keyset-paginated."""
from __future__ import annotations

from sqlalchemy import Select, select, tuple_

from ..core.access import Principal
from ..core.db import db
from ..core.pagination import Keyset, page_of
from .models import DeviceToken, Organisation, PartnerKey, User

USERS = Keyset("users", "text", "uuid")
ORGANISATIONS = Keyset("organisations", "text", "uuid")
DEVICE_TOKENS = Keyset("device-tokens", "datetime", "uuid")
PARTNER_KEYS = Keyset("partner-keys", "datetime", "uuid")


def paged(stmt: Select, keyset: Keyset, columns: tuple, cursor: str | None, limit: int,
          descending: bool = False) -> tuple[list, str | None]:
    """One page of `stmt` ordered by `columns` (the last one unique), and the next cursor."""
    after = keyset.read(cursor)
    if after:
        key, bound = tuple_(*columns), tuple_(*after)
        stmt = stmt.where(key < bound if descending else key > bound)
    stmt = stmt.order_by(*[c.desc() if descending else c for c in columns]).limit(limit + 1)
    rows = db.session.scalars(stmt).unique().all()
    return page_of(keyset, list(rows), limit, lambda row: [getattr(row, c.key) for c in columns])


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
    return paged(stmt, USERS, (User.email, User.id), cursor, limit)


def organisations(*, kind=None, cursor=None, limit=100):
    stmt = select(Organisation)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    return paged(stmt, ORGANISATIONS, (Organisation.name, Organisation.id), cursor, limit)


def device_tokens(principal: Principal, *, user_id=None, cursor=None, limit=100):
    """Admins see every device token; coordinators those of their organisation."""
    stmt = select(DeviceToken)
    if principal.role != "admin":
        stmt = stmt.where(DeviceToken.organisation_id == principal.organisation_id)
    if user_id:
        stmt = stmt.where(DeviceToken.user_id == user_id)
    return paged(stmt, DEVICE_TOKENS, (DeviceToken.created_at, DeviceToken.id), cursor, limit,
                 descending=True)


def partner_keys(*, organisation_id=None, cursor=None, limit=100):
    stmt = select(PartnerKey)
    if organisation_id:
        stmt = stmt.where(PartnerKey.organisation_id == organisation_id)
    return paged(stmt, PARTNER_KEYS, (PartnerKey.created_at, PartnerKey.id), cursor, limit,
                 descending=True)


def monitors(principal: Principal) -> list[User]:
    """Monitors a device token may be made for, by this coordinator or admin."""
    stmt = select(User).where(User.role == "monitor", User.active)
    if principal.role != "admin":
        stmt = stmt.where(User.organisation_id == principal.organisation_id)
    return list(db.session.scalars(stmt.order_by(User.name, User.id).limit(2000)).unique())
