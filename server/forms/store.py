"""All SQL of form_versions and form_media (migration 0020): the forms coordinators publish."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

COLUMNS = ("id, organisation_id, form_id, version, title, xlsform_name, xml, survey_json, "
           "field_map, media_names, app_problems, in_app, status, uploaded_by, uploaded_at, "
           "published_by, published_at, retired_by, retired_at")
LISTED = ("id, organisation_id, form_id, version, title, xlsform_name, field_map, media_names, "
          "app_problems, in_app, status, uploaded_by, uploaded_at, published_by, published_at, "
          "retired_by, retired_at")


def insert(session: Session, row: dict, media: dict[str, bytes]) -> uuid.UUID:
    version_id = uuid.uuid4()
    session.execute(text("""
        INSERT INTO form_versions (id, organisation_id, form_id, version, title, xlsform_name,
            xlsform, xml, survey_json, field_map, media_names, app_problems, in_app,
            uploaded_by)
        VALUES (:id, :organisation_id, :form_id, :version, :title, :xlsform_name, :xlsform,
            :xml, :survey_json, CAST(:field_map AS jsonb), :media_names,
            CAST(:app_problems AS jsonb), :in_app, :uploaded_by)"""),
        {**row, "id": version_id, "field_map": json.dumps(row["field_map"]),
         "app_problems": json.dumps(row["app_problems"]),
         "media_names": sorted(row["media_names"])})
    for filename, data in sorted(media.items()):
        session.execute(text("INSERT INTO form_media (form_version_id, filename, data) "
                             "VALUES (:v, :f, :d)"), {"v": version_id, "f": filename, "d": data})
    return version_id


def exists(session: Session, organisation_id, form_id: str, version: str) -> bool:
    return session.execute(text(
        "SELECT EXISTS (SELECT FROM form_versions WHERE organisation_id = :o AND form_id = :f "
        "AND version = :v)"), {"o": organisation_id, "f": form_id, "v": version}).scalar()


def get(session: Session, version_id, *, for_update: bool = False):
    return session.execute(text(
        f"SELECT {COLUMNS} FROM form_versions WHERE id = :id"
        + (" FOR UPDATE" if for_update else "")), {"id": version_id}).first()


def listing(session: Session, organisation_id=None, limit: int = 200):
    """Newest first; every organisation's when organisation_id is None (admins)."""
    where = "WHERE organisation_id = :o" if organisation_id is not None else ""
    return session.execute(text(
        f"SELECT {LISTED} FROM form_versions {where} ORDER BY uploaded_at DESC, id DESC "
        "LIMIT :n"), {"o": organisation_id, "n": limit}).all()


def published(session: Session, organisation_id):
    """The organisation's published versions (one per form), by form id."""
    if organisation_id is None:
        return []
    return session.execute(text(
        f"SELECT {COLUMNS} FROM form_versions WHERE organisation_id = :o "
        "AND status = 'published' ORDER BY form_id"), {"o": organisation_id}).all()


def received(session: Session, organisation_id, form_id: str, version: str | None):
    """A version reports may still arrive with: published, or retired (phones not yet
    updated); a draft was never offered."""
    return session.execute(text(
        f"SELECT {COLUMNS} FROM form_versions WHERE organisation_id = :o AND form_id = :f "
        "AND version = :v AND status <> 'draft'"),
        {"o": organisation_id, "f": form_id, "v": version or ""}).first()


def lock_form(session: Session, organisation_id, form_id: str) -> None:
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                    {"k": f"form-publish:{organisation_id}:{form_id}"})


def set_status(session: Session, version_id, status: str, user_id) -> None:
    column = {"published": "published", "retired": "retired"}[status]
    session.execute(text(
        f"UPDATE form_versions SET status = :s, {column}_by = :u, {column}_at = now() "
        "WHERE id = :id"), {"s": status, "u": user_id, "id": version_id})


def retire_published(session: Session, organisation_id, form_id: str, user_id) -> list:
    return session.execute(text(
        "UPDATE form_versions SET status = 'retired', retired_by = :u, retired_at = now() "
        "WHERE organisation_id = :o AND form_id = :f AND status = 'published' "
        "RETURNING id, version"), {"o": organisation_id, "f": form_id, "u": user_id}).all()


def media(session: Session, version_id, filename: str) -> bytes | None:
    return session.execute(text(
        "SELECT data FROM form_media WHERE form_version_id = :v AND filename = :f"),
        {"v": version_id, "f": filename}).scalar()


def xlsform(session: Session, version_id):
    return session.execute(text(
        "SELECT organisation_id, xlsform_name, xlsform FROM form_versions WHERE id = :id"),
        {"id": version_id}).first()
