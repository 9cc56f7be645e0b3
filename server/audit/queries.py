"""The audit log, newest first, filtered; keyset-paginated on `seq`."""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..core.audit import AuditEntry
from ..core.db import db
from ..core.pagination import Keyset, page_of

PAGES = Keyset("audit", "int")


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def entries(*, action=None, actor_id=None, organisation_id=None, target_type=None,
            target_id=None, since=None, until=None, cursor=None,
            limit=100) -> tuple[list[AuditEntry], int | None]:
    """One page and the `seq` to continue before (None on the last page).

    `action` ending in `*` matches a family (`auth.*`); `since` is inclusive, `until` exclusive.
    """
    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action.like(_like_prefix(action[:-1]))
                          if action.endswith("*") else AuditEntry.action == action)
    for column, value in ((AuditEntry.actor_id, actor_id),
                          (AuditEntry.organisation_id, organisation_id),
                          (AuditEntry.target_type, target_type),
                          (AuditEntry.target_id, target_id)):
        if value is not None:
            stmt = stmt.where(column == (str(value) if column is AuditEntry.target_id else value))
    if since is not None:
        stmt = stmt.where(AuditEntry.occurred_at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.occurred_at < until)
    after = PAGES.read(cursor)
    if after is not None:
        stmt = stmt.where(AuditEntry.seq < after[0])
    rows = db.session.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(limit + 1)).all()
    return page_of(PAGES, list(rows), limit, lambda row: (row.seq,))


def actor_emails(rows: list[AuditEntry]) -> dict:
    """Emails of the users among the actors of `rows` (one query for a page of entries)."""
    ids = {row.actor_id for row in rows if row.actor_id and row.actor_kind in ("user", "device")}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())
