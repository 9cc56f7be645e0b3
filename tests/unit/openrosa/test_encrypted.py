"""The ODK encrypted-submission format, read by server/openrosa/encrypted.py: against data
ODK Collect itself encrypted, and against tests/odk_encryption.py (Collect's algorithm written
apart)."""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from server.openrosa import encrypted
from server.openrosa.xml import parse
from tests import odk_encryption as odk

# A key pair and a record encrypted by ODK Collect v1.22.4, published as test data by ODK
# Central (getodk/central-backend test/data/priv.pem and test/unit/util/crypto.js,
# Apache-2.0): the only way to be sure of the OAEP/MGF1 choice is a key Collect wrapped.
CENTRAL_PRIV = Path(__file__).resolve().parents[2] / "data" / "odk_central_test_priv.pem"
COLLECT_INSTANCE = "uuid:99b303d9-6494-477b-a30d-d8aae8867335"
COLLECT_WRAPPED_KEY = (
    "iyEB1LAlvVE8uaW0HuhLhzwcLceIukqfgusDNdDEE2FFxVtUtSI3FiOuNxhgI/Zbgnaabh/vqeZ3yLXwv0f66pAbN0n"
    "8kM9f84VJR18fdUp6doOz7o8IQD7gc3ZfbRXweab/NxnahfYa9ij0Kax1LTKS05Oodk2MewkzwfBhdbf/CfiBP1HSsk"
    "Dio40jdW5f04GkqZsFCPUluF2DfMnwYCo0wdwf2m8o+lSNR+vrFeEYG7LtGE4X90pVrQnJHwFWHGjSwJpg/USn5skBio"
    "DKUCv/Dva9xJ+JXUz+QSg6LOuP+SDxsrmf36WKrnE8kWfN4oaBdmIwFSStkLH9foNXUw==")
# Another key Collect wrapped for the same key pair, with the record key it holds.
COLLECT_WRAPPED_KEY_2 = (
    "heF9tzGvB1jjjBM5AAADnTgrFwmtyjESyCNk86oiX/r+WCohyEX3f4jOswK4/IBLx9VNW4k1wbo0t9PMp4Ie/PAucyB"
    "wyqKpx6coGkk8nCeznzisLe07fr9a6MEFOuBqKWun28M/cDUasoyg8//ytMVatSMGjv+Nkj8L7QtlMH6iDJoWZQfwvx"
    "gDeCrBn2+jr+qwdlQzxwyi5taV+zB9s+FDgJ14n8AyY3t4x0n+qkOqEvMVKIFc4ofRXBaG5N/21Uy+qA91Ap26sVDo7g"
    "1vmG+gND/f+Mx1gBQcmM0EKHowUT5cIdrG6N/XTHVpCWkH6qxjhuWyayCGBT+Frxf+Sg==")
COLLECT_XML_ENC = (
    "kMhJdk0mZOqvlxndUO3v4+UPvfYoc+bbkPmF3QmhoP7lP/QjHbzqw/IfZxQ54D328eCc4V6jtbrjeAXV+m1cWsCGGLW5"
    "KwTAxBjPBXzsZrUeY0RISVJ1g9BJoXfSRAjYMrFYOM907BFUIYYxMqpVWGy1lo8ljqY+Sgq1VphkQk/TQGgOVYFALHDL"
    "OYnLKuLHvwBLQQwK3lje8CwNlf/b2rY9qfGC4P1emoiP+YzkLp8eH6x/HfMvRIFoZEaom1i5s3SU4WVwe2Tno4jKD69o"
    "jMlQN6VKB7DK4xaRSs2C7zfDm63n1WCyyOAj8mASIFhb3sc3hD56HTJFUV/TH3UVlzP7oPm/Mm7nEcU3+HdSSwm3I1qF"
    "YhsXfVRym41IlbC4Twf660/kUZrugA7Zqd5K9Un3lOVTzYowaF+m5OIOO56wff3zPBxeOVjANDKR7V6/")
COLLECT_XML = (
    "<?xml version='1.0' ?><data id=\"encrypted\" version=\"working3\" "
    "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:h=\"http://www.w3.org/1999/xhtml\" "
    "xmlns:jr=\"http://openrosa.org/javarosa\"><meta><instanceID>uuid:99b303d9-6494-477b-a30d-"
    "d8aae8867335</instanceID></meta><name>bob</name><age>30</age><file>1561432532482.jpg</file>"
    "</data>")


@pytest.fixture(scope="module")
def central_key():
    return serialization.load_pem_private_key(CENTRAL_PRIV.read_bytes(), None)


@pytest.fixture(scope="module")
def key():
    return odk.new_key_pair()


def test_a_key_wrapped_by_collect_opens_with_oaep_sha256_and_mgf1_sha256_only(central_key):
    record_key = encrypted.unwrap(central_key, COLLECT_WRAPPED_KEY_2)
    assert base64.b64encode(record_key).decode() == "3TJoHf74zHbDwG3Ta+bcvfUr50C6yF/astfu+CdSnQU="
    assert len(encrypted.unwrap(central_key, COLLECT_WRAPPED_KEY)) == 32
    sha1_mgf = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA256(),
                            label=None)
    with pytest.raises(ValueError):
        central_key.decrypt(base64.b64decode(COLLECT_WRAPPED_KEY), sha1_mgf)


def test_a_report_encrypted_by_collect_decrypts_with_the_second_iv(central_key):
    # The record had one photo, encrypted first: the XML took the second IV.
    record_key = encrypted.unwrap(central_key, COLLECT_WRAPPED_KEY)
    iv = encrypted.ivs(COLLECT_INSTANCE, record_key, 2)[1]
    plain = encrypted.decrypt_file(record_key, iv, base64.b64decode(COLLECT_XML_ENC))
    assert plain.decode() == COLLECT_XML
    # With the wrong IV, CFB garbles only the first block and the padding still checks: only
    # the signature tells (test_a_changed_byte_anywhere_is_refused).
    wrong = encrypted.decrypt_file(record_key, encrypted.ivs(COLLECT_INSTANCE, record_key, 1)[0],
                                   base64.b64decode(COLLECT_XML_ENC))
    assert wrong[:16] != plain[:16] and wrong[16:] == plain[16:]


def test_ivs_increment_one_byte_per_file_round_the_seed():
    # Central's vectors for this instance and key (test/unit/util/crypto.js).
    key = base64.b64decode("3TJoHf74zHbDwG3Ta+bcvfUr50C6yF/astfu+CdSnQU=")
    ivs = encrypted.ivs("uuid:22525f8e-4f2d-41ed-94da-4c46a2478448", key, 32)
    assert ivs[0].hex() == "39bbb0890f3222269da68b172146477a"
    assert ivs[1].hex() == "39bcb0890f3222269da68b172146477a"
    assert ivs[8].hex() == "39bcb18a103323279ea68b172146477a"
    assert ivs[15].hex() == "39bcb18a103323279ea78c182247487b"
    assert ivs[31].hex() == "3abdb28b113424289fa88d192348497c"


def test_a_seed_byte_of_ff_wraps_to_zero_like_a_java_byte():
    for attempt in range(2000):
        key = attempt.to_bytes(32, "big")
        if hashlib.md5(b"i" + key).digest()[0] == 0xFF:
            assert encrypted.ivs("i", key, 1)[0][0] == 0
            return
    pytest.fail("no seed starting with ff found")


@pytest.mark.parametrize("layout", ["collect", "spec"])
def test_a_record_encrypted_as_collect_opens_whole(key, layout):
    xml = "<nezarat_visit id='x'><n>نظارت</n></nezarat_visit>".encode()
    media = {"a.jpg": b"\xff\xd8 photo one", "b.jpg": b"x" * 4096}
    record = odk.encrypt_submission(key, xml, form_id="x", version="7", instance_id="uuid:1",
                                    media=media, layout=layout)
    manifest = encrypted.read_manifest(parse(record.manifest))
    assert manifest.files == ("a.jpg.enc", "b.jpg.enc", "submission.xml.enc")
    assert (manifest.form_id, manifest.version, manifest.instance_id) == ("x", "7", "uuid:1")
    opened = encrypted.open_record([odk.new_key_pair(), key], manifest, record.files)
    assert opened.xml == xml and opened.media == media


def test_a_form_without_version_signs_without_a_version_line(key):
    record = odk.encrypt_submission(key, b"<x/>", form_id="x", version=None,
                                    instance_id="uuid:2")
    manifest = encrypted.read_manifest(parse(record.manifest))
    assert manifest.version is None
    assert encrypted.open_record([key], manifest, record.files).xml == b"<x/>"


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]


def test_a_changed_byte_anywhere_is_refused(key):
    xml = b"<x>" + b"a" * 100 + b"</x>"
    record = odk.encrypt_submission(key, xml, form_id="x", version="1", instance_id="uuid:3",
                                    media={"p.jpg": b"p" * 50})
    manifest = encrypted.read_manifest(parse(record.manifest))
    for name in record.files:
        for at in (0, 20, len(record.files[name]) - 1):
            files = {**record.files, name: _flip(record.files[name], at)}
            with pytest.raises(encrypted.Undecryptable):
                encrypted.open_record([key], manifest, files)
    swapped = {**record.files, "p.jpg.enc": record.files["submission.xml.enc"],
               "submission.xml.enc": record.files["p.jpg.enc"]}
    with pytest.raises(encrypted.Undecryptable):
        encrypted.open_record([key], manifest, swapped)


def test_a_changed_manifest_is_refused(key):
    record = odk.encrypt_submission(key, b"<x/>", form_id="x", version="1", instance_id="uuid:4")
    for old, new in ((b'id="x"', b'id="y"'), (b'version="1"', b'version="2"'),
                     (b"uuid:4", b"uuid:5")):
        manifest = encrypted.read_manifest(parse(record.manifest.replace(old, new)))
        with pytest.raises(encrypted.Undecryptable):
            encrypted.open_record([key], manifest, record.files)
    other = odk.encrypt_submission(key, b"<x/>", form_id="x", version="1", instance_id="uuid:4")
    signature_of_other = encrypted.read_manifest(parse(other.manifest)).signature
    manifest = encrypted.read_manifest(parse(record.manifest))
    forged = encrypted.Manifest(**{**manifest.__dict__, "signature": signature_of_other})
    with pytest.raises(encrypted.Undecryptable):
        encrypted.open_record([key], forged, record.files)
    unsigned = encrypted.Manifest(**{**manifest.__dict__, "signature": None})
    with pytest.raises(encrypted.Undecryptable, match="not signed"):
        encrypted.open_record([key], unsigned, record.files)


def test_another_key_or_a_missing_file_is_refused(key):
    record = odk.encrypt_submission(key, b"<x/>", form_id="x", version="1", instance_id="uuid:6",
                                    media={"p.jpg": b"p"})
    manifest = encrypted.read_manifest(parse(record.manifest))
    with pytest.raises(encrypted.Undecryptable, match="not wrapped with any key"):
        encrypted.open_record([odk.new_key_pair()], manifest, record.files)
    with pytest.raises(encrypted.Undecryptable, match="p.jpg.enc"):
        encrypted.open_record([key], manifest, {"submission.xml.enc":
                                                record.files["submission.xml.enc"]})


@pytest.mark.parametrize("manifest, problem", [
    (b'<data xmlns="http://opendatakit.org/submissions" id="x"><a/></data>', "encrypted"),
    (b'<data xmlns="urn:other" id="x" encrypted="yes"/>', "namespace"),
    (b'<data xmlns="http://opendatakit.org/submissions" encrypted="yes"/>', "form id"),
    (b'<data xmlns="http://opendatakit.org/submissions" id="x" encrypted="yes">'
     b'<base64EncryptedKey>AAAA</base64EncryptedKey>'
     b'<meta xmlns="http://openrosa.org/xforms"><instanceID>u</instanceID></meta></data>',
     "encryptedXmlFile"),
    (b'<data xmlns="http://opendatakit.org/submissions" id="x" encrypted="yes">'
     b'<base64EncryptedKey>AAAA</base64EncryptedKey><encryptedXmlFile>s.xml.enc'
     b'</encryptedXmlFile></data>', "instanceID"),
    (b'<data xmlns="http://opendatakit.org/submissions" id="x" encrypted="yes">'
     b'<base64EncryptedKey>AAAA</base64EncryptedKey><encryptedXmlFile>../s.enc'
     b'</encryptedXmlFile><meta xmlns="http://openrosa.org/xforms"><instanceID>u</instanceID>'
     b'</meta></data>', "not an encrypted file name"),
    (b'<data xmlns="http://opendatakit.org/submissions" id="x" encrypted="yes">'
     b'<base64EncryptedKey>AAAA</base64EncryptedKey><encryptedXmlFile>s.enc'
     b'</encryptedXmlFile><media><file>s.enc</file></media>'
     b'<meta xmlns="http://openrosa.org/xforms"><instanceID>u</instanceID></meta></data>',
     "twice"),
    (b'<data xmlns="http://opendatakit.org/submissions" id="x" encrypted="yes">'
     b'<base64EncryptedKey>not base64!</base64EncryptedKey><encryptedXmlFile>s.enc'
     b'</encryptedXmlFile><meta xmlns="http://openrosa.org/xforms"><instanceID>u</instanceID>'
     b'</meta></data>', "base64"),
])
def test_manifests_that_break_the_spec_are_named(manifest, problem):
    with pytest.raises(encrypted.Unreadable, match=problem):
        encrypted.read_manifest(parse(manifest))
