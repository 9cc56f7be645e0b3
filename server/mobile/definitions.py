"""The form definitions the app renders: pyxform's JSON, exactly as `flask forms build` wrote it
next to the XForm (mobile_forms/build/<form_id>.json), or as it was made when a coordinator
uploaded the form (form_versions). The forms and their media files are the forms catalogue's
(server/forms/catalog.py), so the app and ODK Collect always offer the same forms and the same
facility list, except a published form the app cannot run faithfully (forms.app_support): that
one goes to ODK Collect only. The app never carries a copy of the questions of its own."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..core.access import Principal
from ..core.errors import NotFound
from ..forms import catalog


@dataclass(frozen=True)
class Definition:
    form: catalog.Form  # id, name, version, media files
    data: bytes
    etag: str


def etag_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _described(form: catalog.Form) -> Definition | None:
    if form.uploaded:
        if not form.in_app:
            return None
        data = form.survey_json
    else:
        path = catalog.BUILD_DIR / f"{form.id}.json"
        if not path.is_file():
            return None
        data = path.read_bytes()
    return Definition(form=form, data=data, etag=etag_of(data))


def definitions(session, principal: Principal) -> list[Definition]:
    return [d for d in map(_described, catalog.offered(session, principal)) if d is not None]


def get(session, principal: Principal, form_id: str) -> Definition:
    definition = _described(catalog.find(session, principal, form_id))
    if definition is None:
        raise NotFound(f"Form {form_id!r} has no description for the mobile app (it is for "
                       "ODK Collect only, or `flask forms build` has not run).")
    return definition


def media(definition: Definition, filename: str, session) -> bytes:
    return catalog.media_file(definition.form, filename, session)
