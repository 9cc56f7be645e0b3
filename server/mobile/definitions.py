"""The form definitions the app renders: pyxform's JSON, exactly as `flask forms build` wrote it
next to the XForm (mobile_forms/build/<form_id>.json). The forms and their media files are the
OpenRosa catalogue's, so the app and ODK Collect always offer the same forms and the same
facility list. The app never carries a copy of the questions of its own."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..core.errors import NotFound
from ..openrosa import catalog


@dataclass(frozen=True)
class Definition:
    form: catalog.Form  # id, name, version, media files
    data: bytes
    etag: str


def etag_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _described(form: catalog.Form) -> Definition | None:
    path = catalog.BUILD_DIR / f"{form.id}.json"
    if not path.is_file():
        return None
    data = path.read_bytes()
    return Definition(form=form, data=data, etag=etag_of(data))


def definitions() -> list[Definition]:
    return [d for d in map(_described, catalog.forms().values()) if d is not None]


def get(form_id: str) -> Definition:
    definition = _described(catalog.get_form(form_id))
    if definition is None:
        raise NotFound(f"Form {form_id!r} has no description for the mobile app; run "
                       "`flask forms build`.")
    return definition


def media(definition: Definition, filename: str, session) -> bytes:
    return catalog.media_file(definition.form, filename, session)
