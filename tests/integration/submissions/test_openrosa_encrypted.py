"""ODK encrypted forms at the OpenRosa door: the visit form is served with the server's public
key; a report encrypted exactly as Collect does (tests/odk_encryption.py) is decrypted on
receipt into the same visit a plain one makes; altered records are refused with nothing kept;
a sealed form's submissions are kept opaque."""
from __future__ import annotations

import dataclasses
import io
import os
import uuid
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import text

from server.core import sealing
from server.forms import build, catalog, encryption, keys
from tests import odk_encryption as odk
from tests import photos
from tests.openrosa_samples import incident_values, submission_xml, visit_values

NS = {"x": "http://openrosa.org/xforms/xformsList", "r": "http://openrosa.org/http/response",
      "h": "http://www.w3.org/1999/xhtml", "f": "http://www.w3.org/2002/xforms"}
CANARY = "CANARY-Zarghuna-7731"


def _token(auth: dict) -> str:
    return auth["Authorization"].removeprefix("Bearer ")


def post(client, token: str, parts: dict[str, bytes], incomplete: bool = False):
    data = {name: (io.BytesIO(content), "submission.xml" if name == "xml_submission_file"
                   else name) for name, content in parts.items()}
    if incomplete:
        data["*isIncomplete*"] = "yes"
    return client.post(f"/key/{token}/submission", content_type="multipart/form-data",
                       data=data)


def message(response) -> str:
    return ET.fromstring(response.data).find("r:message", NS).text


def count(session, sql: str, **params) -> int:
    return session.execute(text(sql), params).scalar()


def served_key(client, token: str) -> str:
    form = client.get(f"/key/{token}/forms/nezarat_visit.xml")
    assert form.status_code == 200
    submission = ET.fromstring(form.data).find("h:head/f:model/f:submission", NS)
    return submission.get("base64RsaPublicKey")


def encrypted_visit(public_b64, facility_id, *, photo=None, notes="Guards took phones",
                    instance_id=None):
    xml, instance = submission_xml(visit_values(facility_id, notes=notes),
                                   photos=["cell.jpg"] if photo else (),
                                   incidents=[incident_values()], instance_id=instance_id)
    form = catalog.get_form("nezarat_visit")
    return odk.encrypt_submission(public_b64, xml, form_id=form.id, version=form.version,
                                  instance_id=instance,
                                  media={"cell.jpg": photo} if photo else None)


def test_the_visit_form_is_served_encrypted_with_a_key_whose_private_half_is_sealed(
        client, session, field):
    *_, auth = field
    token = _token(auth)
    public_b64 = served_key(client, token)
    assert public_b64 and public_b64 == served_key(client, token)  # one key, made once
    form_list = ET.fromstring(client.get(f"/key/{token}/formList").data)
    served = client.get(f"/key/{token}/forms/nezarat_visit.xml").data
    assert form_list.find("x:xform/x:hash", NS).text == "md5:" + catalog.md5(served)
    # what pyxform's public_key setting writes, on the committed build
    assert served == build.with_public_key(catalog.get_form("nezarat_visit").xml, public_b64)
    row = session.execute(text("SELECT private_key_sealed, fingerprint FROM form_keys "
                               "WHERE form_id = 'nezarat_visit'")).one()
    assert row.private_key_sealed.startswith("v1:") and "PRIVATE KEY" not in \
        row.private_key_sealed
    assert row.fingerprint == keys.fingerprint(public_b64)
    wrong = sealing.derive_key("another-secret", keys.PURPOSE)
    with pytest.raises(sealing.Unreadable):
        sealing.unseal(row.private_key_sealed, wrong, keys.PURPOSE)
    assert count(session, "SELECT count(*) FROM audit_log WHERE action = 'form_key.create'") == 1


def test_a_report_encrypted_as_collect_does_becomes_the_visit_with_its_photo(
        client, session, field):
    _, monitor, facility, auth = field
    token = _token(auth)
    record = encrypted_visit(served_key(client, token), facility.id,
                             photo=photos.jpeg_with_gps())
    first = post(client, token, record.parts())
    assert first.status_code == 201, first.data
    assert message(first) == "Visit report received."
    visit_id = record.instance_id.removeprefix("uuid:")
    visit = session.execute(text(
        "SELECT v.monitor_id, v.facility_id, v.held_women, v.scores, n.notes FROM visits v "
        "LEFT JOIN visit_sensitive n ON n.visit_id = v.id WHERE v.id = :id"), {"id": visit_id}).one()
    assert (visit.monitor_id, visit.facility_id, visit.held_women) == (monitor.id, facility.id,
                                                                       12)
    assert visit.notes == "Guards took phones" and visit.scores
    assert count(session, "SELECT count(*) FROM incidents WHERE visit_id = :v", v=visit_id) == 1
    assert count(session, "SELECT count(*) FROM attachments WHERE visit_id = :v AND "
                          "filename = 'cell.jpg' AND sha256 IS NOT NULL", v=visit_id) == 1
    # Collect retries the same upload: recognised, nothing doubled
    again = post(client, token, record.parts())
    assert again.status_code == 202 and message(again) == "This report was already received."
    assert count(session, "SELECT count(*) FROM visits WHERE id = :v", v=visit_id) == 1
    assert count(session, "SELECT count(*) FROM attachments WHERE visit_id = :v",
                 v=visit_id) == 1


@pytest.mark.parametrize("attack", ["flip_xml", "flip_photo", "truncate", "signature",
                                    "other_key", "missing_xml", "unsigned", "manifest_instance"])
def test_an_altered_or_foreign_record_is_refused_and_nothing_is_kept(
        client, session, field, attack):
    *_, facility, auth = field
    token = _token(auth)
    public_b64 = served_key(client, token)
    record = encrypted_visit(public_b64, facility.id, photo=photos.jpeg_with_gps())
    parts = record.parts()
    xml_enc, photo_enc = parts["submission.xml.enc"], parts["cell.jpg.enc"]
    if attack == "flip_xml":
        parts["submission.xml.enc"] = xml_enc[:40] + bytes([xml_enc[40] ^ 4]) + xml_enc[41:]
    elif attack == "flip_photo":
        parts["cell.jpg.enc"] = photo_enc[:-20] + bytes([photo_enc[-20] ^ 1]) + photo_enc[-19:]
    elif attack == "truncate":
        parts["submission.xml.enc"] = xml_enc[:-16]
    elif attack == "signature":
        other = encrypted_visit(public_b64, facility.id, photo=photos.jpeg_with_gps())
        parts["xml_submission_file"] = _with_signature(parts["xml_submission_file"],
                                                       other.manifest)
    elif attack == "other_key":
        parts = encrypted_visit(odk.public_b64(odk.new_key_pair()), facility.id).parts()
    elif attack == "missing_xml":
        del parts["submission.xml.enc"]
    elif attack == "unsigned":
        parts["xml_submission_file"] = _with_signature(parts["xml_submission_file"], None)
    elif attack == "manifest_instance":
        new = f"uuid:{uuid.uuid4()}".encode()
        parts["xml_submission_file"] = parts["xml_submission_file"].replace(
            record.instance_id.encode(), new)
    response = post(client, token, parts)
    assert response.status_code == 400, response.data
    assert "Nothing was kept" in message(response)
    assert count(session, "SELECT count(*) FROM visits") == 0
    assert count(session, "SELECT count(*) FROM attachments") == 0
    assert count(session, "SELECT count(*) FROM audit_log WHERE action LIKE 'visit.%'") == 0


def _with_signature(manifest: bytes, other_manifest: bytes | None) -> bytes:
    start, end = b"<base64EncryptedElementSignature>", b"</base64EncryptedElementSignature>"
    head, rest = manifest.split(start)
    _, tail = rest.split(end)
    if other_manifest is None:
        return head + tail
    signature = other_manifest.split(start)[1].split(end)[0]
    return head + start + signature + end + tail


def test_a_report_made_before_a_key_rotation_still_opens(client, session, field):
    *_, facility, auth = field
    token = _token(auth)
    old_key = served_key(client, token)
    assert keys.rotate(session, "nezarat_visit") != old_key
    assert served_key(client, token) != old_key
    response = post(client, token, encrypted_visit(old_key, facility.id).parts())
    assert response.status_code == 201, response.data


def test_a_plain_report_is_still_received_from_a_phone_with_the_old_form(client, field):
    *_, facility, auth = field
    xml, _ = submission_xml(visit_values(facility.id))
    assert post(client, _token(auth), {"xml_submission_file": xml}).status_code == 201


def test_the_cli_lists_and_rotates_keys(runner, session):
    listed = runner.invoke(args=["forms", "keys"])
    assert listed.exit_code == 0, listed.output
    first = session.execute(text("SELECT fingerprint FROM form_keys")).scalar_one()
    assert f"nezarat_visit  sha256:{first}" in listed.output and "current" in listed.output
    rotated = runner.invoke(args=["forms", "keys", "--rotate", "nezarat_visit"])
    assert rotated.exit_code == 0, rotated.output
    assert "retired" in rotated.output
    assert count(session, "SELECT count(*) FROM form_keys WHERE retired_at IS NULL") == 1
    assert runner.invoke(args=["forms", "keys", "--rotate", "nope"]).exit_code != 0


# ----- sealed forms: stored as they came, never decrypted ------------------------------------

@pytest.fixture()
def sealed_form(monkeypatch):
    """A sealed form in the catalogue (the protection-case form is issue 19's), offered with
    an organisation key held by the test, as a key holder's browser would hold it."""
    private = odk.new_key_pair()
    visit = catalog.get_form("nezarat_visit")
    form = dataclasses.replace(visit, id="nezarat_case", version="2026010101",
                               encryption=encryption.SEALED)
    monkeypatch.setitem(catalog.forms(), form.id, form)
    monkeypatch.setitem(encryption.ENCRYPTION, form.id, encryption.SEALED)
    return form, private


def sealed_case(form, private, photo=None):
    instance = f"uuid:{uuid.uuid4()}"
    xml = (f'<nezarat_case id="{form.id}" version="{form.version}"><name>{CANARY}</name>'
           f"<story>{CANARY} was a prosecutor</story><meta><instanceID>{instance}</instanceID>"
           "</meta></nezarat_case>").encode()
    return odk.encrypt_submission(private, xml, form_id=form.id, version=form.version,
                                  instance_id=instance,
                                  media={"face.jpg": photo} if photo else None), xml


def test_a_sealed_form_is_not_offered_while_the_organisation_has_no_key(client, field,
                                                                        sealed_form):
    *_, auth = field
    token = _token(auth)
    listed = client.get(f"/key/{token}/formList").data.decode()
    assert "nezarat_visit" in listed and "nezarat_case" not in listed
    assert client.get(f"/key/{token}/forms/nezarat_case.xml").status_code == 404


def test_a_sealed_submission_is_stored_opaque_and_a_key_holder_can_open_it(
        client, session, field, sealed_form, app):
    org, monitor, _, auth = field
    form, private = sealed_form
    token = _token(auth)
    photo = CANARY.encode() + photos.jpeg_with_gps()
    record, xml = sealed_case(form, private, photo=photo)
    parts = record.parts()
    # Collect splits a large submission: the photo first, the report in a second request
    first = post(client, token, {"xml_submission_file": parts["xml_submission_file"],
                                 "face.jpg.enc": parts["face.jpg.enc"]}, incomplete=True)
    assert first.status_code == 201, first.data
    assert "Waiting for 1 file(s)" in message(first)
    second = post(client, token, parts)
    assert second.status_code == 202 and "Added 1 file(s)" in message(second)
    assert message(post(client, token, parts)) == "This report was already received."

    row = session.execute(text("SELECT * FROM sealed_submissions")).mappings().one()
    assert (row["organisation_id"], row["monitor_id"], row["complete"]) == (org.id, monitor.id,
                                                                            True)
    assert row["device_token_id"] is not None and row["form_id"] == "nezarat_case"
    assert row["media"] == ["face.jpg.enc"] and row["xml_file"] == "submission.xml.enc"
    assert set(row["files"]) == {"face.jpg.enc", "submission.xml.enc"}
    # the key holder's side: the stored manifest fields and files open with the private key
    stored = {name: (Path(app.config["STORAGE_DIR"]) / f["sha256"][:2] / f["sha256"][2:4] /
                     f"{f['sha256']}.enc").read_bytes() for name, f in row["files"].items()}
    assert odk.open_stored(private, row["encrypted_key"], row["instance_id"], 0,
                           stored["face.jpg.enc"]) == photo
    assert odk.open_stored(private, row["encrypted_key"], row["instance_id"], 1,
                           stored["submission.xml.enc"]) == xml
    # nothing in clear anywhere: every table of the database, every stored file
    tables = session.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
    for table in tables:
        assert count(session, f'SELECT count(*) FROM "{table}" t WHERE t::text LIKE :c',
                     c=f"%{CANARY}%") == 0, table
    for path in Path(app.config["STORAGE_DIR"]).rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    assert count(session, "SELECT count(*) FROM visits") == 0


def test_a_sealed_form_refuses_a_plain_submission_and_a_changed_manifest(
        client, session, field, sealed_form):
    *_, auth = field
    form, private = sealed_form
    token = _token(auth)
    record, xml = sealed_case(form, private)
    plain = post(client, token, {"xml_submission_file": xml})
    assert plain.status_code == 400
    assert post(client, token, record.parts()).status_code == 201
    other, _ = sealed_case(form, private)
    clash = other.manifest.replace(other.instance_id.encode(), record.instance_id.encode())
    conflict = post(client, token, {**other.parts(), "xml_submission_file": clash})
    assert conflict.status_code == 409
    ragged = {**record.parts(), "submission.xml.enc": os.urandom(33)}
    assert post(client, token, ragged).status_code == 400
    assert count(session, "SELECT count(*) FROM sealed_submissions") == 1
