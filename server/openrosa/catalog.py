"""The forms we serve and their media. Hashes are md5 of the exact bytes served, so ODK Collect
re-downloads only when something really changed."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..cases import keys as case_keys
from ..core.access import Principal
from ..core.errors import NotFound
from ..facilities.queries import facility_choices
from ..forms import build, encryption, keys, media
from .xml import local, parse

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


def _read_form(path: Path) -> Form:
    data = path.read_bytes()
    root = parse(data)
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


@lru_cache(maxsize=1)
def forms() -> dict[str, Form]:
    found = {}
    for path in sorted(BUILD_DIR.glob("*.xml")):
        form = _read_form(path)
        found[form.id] = form
    return found


def get_form(form_id: str) -> Form:
    form = forms().get(form_id)
    if form is None:
        raise NotFound(f"Unknown form {form_id!r}.")
    return form


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
    if filename not in form.media or filename not in MEDIA_BUILDERS:
        raise NotFound(f"Form {form.id} has no media file {filename!r}.")
    return MEDIA_BUILDERS[filename](session)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()
