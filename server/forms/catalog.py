"""The forms we serve and their media, to ODK Collect (server/openrosa) and to the phone app
(server/mobile) alike. Hashes are md5 of the exact bytes served, so ODK Collect re-downloads only
when something really changed.

Two kinds of form: the built-in ones (mobile_forms/build, made by `flask forms build`, offered to
every organisation), and the versions an organisation's coordinators published in the browser
(form_versions, server/forms/service.py), offered to that organisation's devices only."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from defusedxml.ElementTree import fromstring

from ..cases import keys as case_keys
from ..core.access import Principal
from ..core.errors import NotFound
from ..facilities.queries import facility_choices
from . import build, encryption, keys, media, store

BUILD_DIR = build.BUILD_DIR


@dataclass(frozen=True)
class Form:
    id: str
    version: str
    name: str
    xml: bytes
    md5: str
    media: tuple[str, ...]
    encryption: str | None = None  # forms.encryption.SERVER / SEALED / None (plain)
    # A published version (form_versions): its organisation, row, description and mapping.
    organisation_id: object = None
    version_id: object = None
    in_app: bool = True
    survey_json: bytes | None = None
    field_map: dict | None = None

    @property
    def uploaded(self) -> bool:
        return self.version_id is not None


def _read_form(path: Path) -> Form:
    data = path.read_bytes()
    root = fromstring(data)
    title, instance_root, media = path.stem, None, []
    for element in root.iter():
        tag = local(element.tag)
        if tag == "title" and element.text:
            title = element.text.strip()
        elif tag == "instance" and instance_root is None and not element.get("id"):
            instance_root = next(iter(element), None)
        elif tag == "instance" and (element.get("src") or "").startswith("jr://file-csv/"):
            media.append(element.get("src").rsplit("/", 1)[-1])
    if instance_root is None:
        raise RuntimeError(f"{path} has no primary instance")
    return Form(id=instance_root.get("id"), version=instance_root.get("version") or "",
                name=title, xml=data, md5=hashlib.md5(data).hexdigest(), media=tuple(media),
                encryption=encryption.mode(instance_root.get("id")))


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@lru_cache(maxsize=1)
def forms() -> dict[str, Form]:
    found = {}
    for path in sorted(BUILD_DIR.glob("*.xml")):
        form = _read_form(path)
        found[form.id] = form
    return found


def get_form(form_id: str) -> Form:
    """A built-in form."""
    form = forms().get(form_id)
    if form is None:
        raise NotFound(f"Unknown form {form_id!r}.")
    return form


def from_row(row) -> Form:
    """A version of form_versions as the catalogue serves it. Like the visit form, it goes to
    Collect as an encrypted form (the server's key): a seized phone holds no report in clear."""
    xml = bytes(row.xml)
    return Form(id=row.form_id, version=row.version, name=row.title, xml=xml,
                md5=hashlib.md5(xml).hexdigest(), media=tuple(row.media_names),
                encryption=encryption.SERVER, organisation_id=row.organisation_id,
                version_id=row.id, in_app=row.in_app, survey_json=bytes(row.survey_json),
                field_map=row.field_map)


def offered(session, principal: Principal) -> list[Form]:
    """What a device may fill in: the built-in forms and its organisation's published ones."""
    return [*forms().values(),
            *(from_row(row) for row in store.published(session, principal.organisation_id))]


def find(session, principal: Principal, form_id: str) -> Form:
    """An offered form by id."""
    for form in offered(session, principal):
        if form.id == form_id:
            return form
    raise NotFound(f"Unknown form {form_id!r}.")


def received_version(session, principal: Principal, form_id: str, version: str | None):
    """The published or retired version of the caller's organisation that a report names,
    None when the form is not one published in the browser."""
    if form_id in forms():
        return None
    row = store.received(session, principal.organisation_id, form_id, version)
    if row is None:
        raise NotFound(f"Form {form_id!r} version {version!r} is not one of your "
                       "organisation's forms. Get the blank form again.")
    return from_row(row)


def sealing_key(session, organisation_id) -> str | None:
    """The organisation's current public sealing key (base64 SubjectPublicKeyInfo), made in a
    key holder's browser (server/cases/keys.py); None while it has none."""
    if organisation_id is None:
        return None
    key = case_keys.active(session, organisation_id)
    return key.public_key if key is not None else None


def served_xml(form: Form, session, principal: Principal) -> bytes | None:
    """The XForm as this device gets it: with the server's key for a SERVER form, with the
    organisation's sealing key for a SEALED one (None, not offered, while it has none)."""
    if form.encryption == encryption.SERVER:
        return build.with_public_key(form.xml, keys.public_key(session, form.id, principal))
    if form.encryption == encryption.SEALED:
        public_b64 = sealing_key(session, principal.organisation_id)
        return build.with_public_key(form.xml, public_b64) if public_b64 else None
    return form.xml


def facilities_csv(session) -> bytes:
    """The facility choice list of the forms, generated from the registry (open facilities)."""
    return media.facilities_csv(facility_choices(session))


MEDIA_BUILDERS = {media.FILENAME: facilities_csv}


def media_file(form: Form, filename: str, session) -> bytes:
    if filename in form.media and filename in MEDIA_BUILDERS:
        return MEDIA_BUILDERS[filename](session)
    if filename in form.media and form.uploaded:
        data = store.media(session, form.version_id, filename)
        if data is not None:
            return bytes(data)
    raise NotFound(f"Form {form.id} has no media file {filename!r}.")


IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
               ".webp": "image/webp"}


def is_image(filename: str) -> bool:
    """An image a label shows (re-encoded on upload: forms/service.py)."""
    return any(filename.lower().endswith(suffix) for suffix in IMAGE_TYPES)


def media_type(filename: str) -> str:
    """The content type of a form's attachment, as ODK's engines tell CSV, XML and GeoJSON."""
    if is_image(filename):
        return IMAGE_TYPES["." + filename.lower().rsplit(".", 1)[1]]
    if filename.endswith(".xml"):
        return "text/xml"
    if filename.endswith(".geojson"):
        return "application/geo+json"
    return "text/csv"


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()
