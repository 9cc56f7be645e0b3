"""The SQL of the briefs and brief_schedules tables (and only here)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

COLUMNS = ("id, organisation_id, period_kind, period_start, period_end, scope_kind, scope_value, "
           "audience, partner_id, policy_version, language, pdf_sha256, html_sha256, pdf_bytes, "
           "generated_by, scheduled, created_at")
_NIL = "'00000000-0000-0000-0000-000000000000'::uuid"
_EDITION = ("organisation_id = :organisation_id AND period_start = :period_start "
            "AND period_kind = :period_kind AND scope_kind = :scope_kind "
            "AND scope_value = :scope_value AND audience = :audience "
            f"AND coalesce(partner_id, {_NIL}) = coalesce(CAST(:partner_id AS uuid), {_NIL}) "
            "AND language = :language")


def edition(session: Session, key: dict):
    """The kept brief of this (organisation, period, scope, audience, partner, language)."""
    return session.execute(text(f"SELECT {COLUMNS} FROM briefs WHERE {_EDITION}"),
                           key).mappings().first()


def keep(session: Session, row: dict) -> dict:
    """Insert, or replace the files of the same edition (a brief made again on demand)."""
    return dict(session.execute(text(
        f"INSERT INTO briefs ({COLUMNS}) VALUES (:id, :organisation_id, :period_kind, "
        ":period_start, :period_end, :scope_kind, :scope_value, :audience, :partner_id, "
        ":policy_version, :language, :pdf_sha256, :html_sha256, :pdf_bytes, :generated_by, "
        ":scheduled, now()) ON CONFLICT (organisation_id, period_start, period_kind, "
        f"scope_kind, scope_value, audience, coalesce(partner_id, {_NIL}), language) "
        "DO UPDATE SET pdf_sha256 = EXCLUDED.pdf_sha256, html_sha256 = EXCLUDED.html_sha256, "
        "pdf_bytes = EXCLUDED.pdf_bytes, policy_version = EXCLUDED.policy_version, "
        "generated_by = EXCLUDED.generated_by, scheduled = EXCLUDED.scheduled, "
        f"created_at = now() RETURNING {COLUMNS}"), row).mappings().one())


def get(session: Session, organisation_id: uuid.UUID, brief_id: uuid.UUID):
    return session.execute(text(f"SELECT {COLUMNS} FROM briefs WHERE id = :id AND "
                                "organisation_id = :o"),
                           {"id": brief_id, "o": organisation_id}).mappings().first()


def page(session: Session, organisation_id: uuid.UUID,
         after: tuple[datetime, uuid.UUID] | None, limit: int) -> list:
    cond = "AND (created_at, id) < (:at, :after)" if after else ""
    params = {"o": organisation_id, "limit": limit}
    if after:
        params.update(at=after[0], after=after[1])
    return list(session.execute(text(
        f"SELECT {COLUMNS} FROM briefs WHERE organisation_id = :o {cond} "
        "ORDER BY created_at DESC, id DESC LIMIT :limit"), params).mappings())


def add_schedule(session: Session, row: dict) -> dict:
    return dict(session.execute(text(
        "INSERT INTO brief_schedules (id, organisation_id, period_kind, scope_kind, scope_value, "
        "audience, partner_id, languages, created_by) VALUES (:id, :organisation_id, "
        ":period_kind, :scope_kind, :scope_value, :audience, :partner_id, :languages, "
        ":created_by) RETURNING id, organisation_id, period_kind, scope_kind, scope_value, "
        "audience, partner_id, languages, created_at"), row).mappings().one())


def schedules(session: Session, organisation_id: uuid.UUID | None = None, *, after=None,
              limit: int | None = None) -> list:
    """Schedules oldest first (every organisation's without one); `after`: the last row's
    (created_at, id) of the previous page."""
    where, params = [], {"o": organisation_id, "l": limit}
    if organisation_id:
        where.append("organisation_id = :o")
    if after:
        where.append("(created_at, id) > (CAST(:at AS timestamptz), CAST(:id AS uuid))")
        params.update(at=after[0], id=after[1])
    return list(session.execute(text(
        "SELECT id, organisation_id, period_kind, scope_kind, scope_value, audience, partner_id, "
        "languages, created_at FROM brief_schedules "
        + (f"WHERE {' AND '.join(where)} " if where else "")
        + "ORDER BY created_at, id" + (" LIMIT :l" if limit else "")), params).mappings())


def delete_schedule(session: Session, organisation_id: uuid.UUID, schedule_id: uuid.UUID) -> bool:
    return session.execute(text("DELETE FROM brief_schedules WHERE id = :id AND "
                                "organisation_id = :o"),
                           {"id": schedule_id, "o": organisation_id}).rowcount > 0


def organisation_kind(session: Session, organisation_id: uuid.UUID) -> str | None:
    return session.execute(text("SELECT kind FROM organisations WHERE id = :o"),
                           {"o": organisation_id}).scalar()


def facility_exists(session: Session, facility_id: uuid.UUID) -> bool:
    return session.execute(text("SELECT true FROM facilities WHERE id = :f"),
                           {"f": facility_id}).scalar() is not None


def facility_choices(session: Session) -> list:
    """Every facility (id, name, country), for a scope to choose on the briefs page."""
    return list(session.execute(text(
        "SELECT id, name, country FROM facilities ORDER BY country, name, id")).mappings())


def partner_choices(session: Session) -> list:
    """Partner organisations (id, name): whose sharing policy a published brief goes through."""
    return list(session.execute(text(
        "SELECT id, name FROM organisations WHERE kind = 'partner' ORDER BY name, id")).mappings())
