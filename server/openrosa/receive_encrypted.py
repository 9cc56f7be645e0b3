"""An ODK-encrypted submission at the OpenRosa door: its XML part is the manifest
(server/openrosa/encrypted.py), the report and its photos are the `.enc` parts.

- A form the server decrypts (forms.encryption.SERVER): every file is decrypted and the
  signature checked *before* anything is written; the plain report and photos then go to the
  visits service exactly as a plain submission does (idempotent by instanceID there). A record
  that cannot be opened, or was altered, is refused with a 400 and nothing is kept.
- A sealed form: stored as it came (forms.sealed), never decrypted.
"""
from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree as ET

from ..cases import service as cases
from ..core.access import Principal
from ..core.db import db
from ..core.errors import BadRequest
from ..forms import catalog, encryption, keys, sealed
from ..visits import service as visits
from . import encrypted, translate
from .xml import local, parse


@dataclass(frozen=True)
class Outcome:
    status: int
    message: str


def receive(root: ET.Element, body: bytes, files: dict[str, bytes], principal: Principal,
            complete: bool) -> Outcome:
    try:
        manifest = encrypted.read_manifest(root)
    except encrypted.Unreadable as exc:
        raise BadRequest(f"The encrypted submission's manifest is not valid: {exc}.")
    form = catalog.received_version(db.session, principal, manifest.form_id, manifest.version)
    if form is not None:  # published in the browser: any version still received
        return _decrypted(manifest, files, principal, complete)
    form = catalog.get_form(manifest.form_id)
    if form.encryption is None:
        raise BadRequest(f"Form {form.id!r} is not an encrypted form; get the blank form again "
                         "in ODK Collect.")
    if (manifest.version or "") != form.version:
        raise BadRequest(f"Form version {manifest.version!r} is closed; the current version is "
                         f"{form.version!r}. Get the blank form again in ODK Collect.")
    if form.encryption == encryption.SEALED:
        return _sealed(manifest, body, files, principal)
    return _decrypted(manifest, files, principal, complete)


def _sealed(manifest, body, files, principal) -> Outcome:
    result = sealed.receive(db.session, manifest, body, files, principal)
    if result.created:  # a protection case for the organisation's queue (issue 19)
        cases.from_sealed_submission(db.session, principal, manifest)
    waiting = f" Waiting for {len(result.missing)} file(s)." if result.missing else ""
    if result.created:
        return Outcome(201, "Sealed report received." + waiting)
    if result.stored:
        return Outcome(202, f"Added {len(result.stored)} file(s) to a sealed report already "
                            "received." + waiting)
    return Outcome(202, "This report was already received." + waiting)


def _decrypted(manifest, files, principal, complete) -> Outcome:
    try:
        opened = encrypted.open_record(keys.private_keys(db.session, manifest.form_id),
                                       manifest, files)
    except encrypted.Undecryptable as exc:
        raise BadRequest(f"The encrypted report cannot be opened: {exc}. Nothing was kept.")
    _same_record(manifest, opened.xml)
    report = translate.report_from_xml(opened.xml, principal)
    result = visits.submit(report, principal, instance_id=str(report["id"]), source="openrosa",
                           body=opened.xml, files=opened.media, complete=complete)
    if result.created:
        return Outcome(201, "Visit report received.")
    if result.stored_files:
        return Outcome(202, f"Added {len(result.stored_files)} file(s) to a report already "
                            "received.")
    return Outcome(202, "This report was already received.")


def _same_record(manifest, xml: bytes) -> None:
    """The decrypted report is the one the manifest names (form, version, instanceID): the
    signature binds the manifest to the files, this binds it to what they say."""
    root = parse(xml)
    instance_ids = [e.text for e in root.iter() if local(e.tag) == "instanceID"]
    if (root.get("id"), root.get("version"), instance_ids[:1]) != (
            manifest.form_id, manifest.version, [manifest.instance_id]):
        raise BadRequest("The encrypted report is not the one its manifest names (form, "
                         "version or instanceID differ). Nothing was kept.")
