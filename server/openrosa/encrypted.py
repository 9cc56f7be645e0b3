"""ODK encrypted submissions, as the ODK XForms encryption specification describes them
(https://getodk.github.io/xforms-spec/encryption) and as ODK Collect writes them
(collect_app/.../utilities/EncryptionUtils.java).

The submission's XML part is a *manifest*; the report itself (`submission.xml.enc`) and every
media file (`<name>.enc`) are other parts of the same multipart request:

- the record key: 32 random bytes (AES-256), wrapped with the form's RSA public key by
  "RSA/NONE/OAEPWithSHA256AndMGF1Padding" -- OAEP with SHA-256 *and MGF1 with SHA-256*
  (Collect asks for the Bouncy Castle name without a hyphen; Java's own provider would use
  MGF1-SHA-1 for "OAEPWithSHA-256AndMGF1Padding", which Collect does not use). ODK Central
  decrypts the same way (lib/util/quarantine/oaep.js), and a key wrapped by Collect 1.22
  unwraps here only with MGF1-SHA-256 (tests/unit/openrosa/test_encrypted.py);
- each file: AES-256-CFB (128-bit segments) with PKCS#7 padding ("AES/CFB/PKCS5Padding" in
  Java), media files first in manifest order, the XML last;
- the IVs: md5(instanceID as UTF-8 + record key) is a 16-byte seed; before each file, in that
  order, the byte at (counter mod 16) is incremented by one (wrapping like a Java byte) and
  the counter advances: file i is encrypted with the seed after i + 1 increments;
- the signature: the lines form id, version (only when the form has one), the wrapped key as
  sent, the instanceID, then "<file name without .enc>::<md5 hex of its plain bytes>" for each
  file in order of encryption, each followed by "\n"; its md5, wrapped like the key.

This module only reads the format; the door decides what to do with it (decrypt on receipt for
forms with a server key, store opaque for sealed forms). Errors are Unreadable/Undecryptable,
never the cryptography library's own, and never carry plain content.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import padding as symmetric_padding
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .xml import local

# The spec's namespace, and the one Collect actually writes (both are in use).
MANIFEST_NAMESPACES = ("http://opendatakit.org/submissions",
                       "http://www.opendatakit.org/xforms/encrypted")
OPENROSA_NAMESPACE = "http://openrosa.org/xforms"
XML_SUFFIX = ".enc"
KEY_BYTES = 32
IV_BYTES = 16
MAX_FILES = 110  # multipart.MAX_PARTS less the manifest and the flag
_FILE_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


def oaep() -> padding.OAEP:
    """RSA/NONE/OAEPWithSHA256AndMGF1Padding as Collect (Bouncy Castle) does it."""
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class Unreadable(ValueError):
    """The manifest is not a valid encrypted-submission manifest (the message says why)."""


class Undecryptable(ValueError):
    """The record cannot be opened with the keys given, or was altered."""


@dataclass(frozen=True)
class Manifest:
    form_id: str
    version: str | None  # None when the form has no version (then it is not signed either)
    instance_id: str
    encrypted_key: str  # base64, exactly as sent (it is signed as sent)
    xml_file: str
    media: tuple[str, ...]  # in order of encryption
    signature: str | None

    @property
    def files(self) -> tuple[str, ...]:
        """Every encrypted file, in order of encryption (media, then the XML)."""
        return (*self.media, self.xml_file)


def is_manifest(root: ET.Element) -> bool:
    return local(root.tag) == "data" and root.get("encrypted") == "yes"


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def read_manifest(root: ET.Element) -> Manifest:
    """The manifest's fields, checked against the spec; Unreadable naming the first problem."""
    if not is_manifest(root):
        raise Unreadable("the root element is not <data encrypted=\"yes\">")
    if _namespace(root.tag) not in MANIFEST_NAMESPACES:
        raise Unreadable(f"the manifest's namespace {_namespace(root.tag)!r} is not the "
                         "encrypted-submission namespace")
    form_id = root.get("id") or ""
    if not form_id:
        raise Unreadable("the manifest has no form id")
    singles: dict[str, list[str]] = {}
    media: list[str] = []
    instance_ids: list[str] = []
    for child in root:
        name = local(child.tag)
        if name == "media":
            files = [f for f in child if local(f.tag) == "file"]
            if len(files) != 1:
                raise Unreadable("each <media> holds exactly one <file>")
            media.append(_text(files[0]))
        elif name == "meta":
            if _namespace(child.tag) != OPENROSA_NAMESPACE:
                raise Unreadable("<meta> is not in the OpenRosa namespace")
            instance_ids += [_text(e) for e in child if local(e.tag) == "instanceID"]
        elif name in ("base64EncryptedKey", "encryptedXmlFile", "base64EncryptedElementSignature"):
            singles.setdefault(name, []).append(_text(child))
    for name in ("base64EncryptedKey", "encryptedXmlFile"):
        if len(singles.get(name, [])) != 1:
            raise Unreadable(f"the manifest needs exactly one <{name}>")
    if len(singles.get("base64EncryptedElementSignature", [])) > 1:
        raise Unreadable("the manifest has more than one signature")
    if len(instance_ids) != 1 or not instance_ids[0]:
        raise Unreadable("the manifest needs exactly one meta/instanceID")
    manifest = Manifest(
        form_id=form_id, version=root.get("version"), instance_id=instance_ids[0],
        encrypted_key=singles["base64EncryptedKey"][0],
        xml_file=singles["encryptedXmlFile"][0], media=tuple(media),
        signature=(singles.get("base64EncryptedElementSignature") or [None])[0])
    _check_files(manifest.files)
    _b64(manifest.encrypted_key, "base64EncryptedKey")
    if manifest.signature is not None:
        _b64(manifest.signature, "base64EncryptedElementSignature")
    return manifest


def _text(element: ET.Element) -> str:
    return (element.text or "").strip()


def _check_files(names: tuple[str, ...]) -> None:
    if len(names) > MAX_FILES:
        raise Unreadable(f"the manifest names more than {MAX_FILES} files")
    if len(set(names)) != len(names):
        raise Unreadable("the manifest names a file twice")
    for name in names:
        if not _FILE_NAME.match(name) or name in (".", "..") or not name.endswith(XML_SUFFIX) \
                or len(name) == len(XML_SUFFIX):
            raise Unreadable(f"{name!r} is not an encrypted file name (<name>.enc)")


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Unreadable(f"<{what}> is not base64")


def plain_name(encrypted_name: str) -> str:
    """photo.jpg.enc -> photo.jpg (the name the report itself uses, and the signature)."""
    return encrypted_name[:-len(XML_SUFFIX)]


def ivs(instance_id: str, key: bytes, count: int) -> list[bytes]:
    """The IVs of a record's files, in order of encryption."""
    seed = bytearray(hashlib.md5(instance_id.encode("utf-8") + key).digest())
    out = []
    for counter in range(count):
        seed[counter % IV_BYTES] = (seed[counter % IV_BYTES] + 1) & 0xFF
        out.append(bytes(seed))
    return out


def unwrap(private_key: rsa.RSAPrivateKey, wrapped_b64: str) -> bytes:
    """RSA-OAEP decryption of a base64 value (the record key or the signature)."""
    try:
        return private_key.decrypt(base64.b64decode(wrapped_b64, validate=True), oaep())
    except (ValueError, binascii.Error) as exc:
        raise Undecryptable("not wrapped with this key") from exc


def record_key(private_keys: list[rsa.RSAPrivateKey], manifest: Manifest):
    """(the private key that opens this record, the record's AES key)."""
    for private_key in private_keys:
        try:
            key = unwrap(private_key, manifest.encrypted_key)
        except Undecryptable:
            continue
        if len(key) != KEY_BYTES:
            raise Undecryptable("the record key is not 256 bits")
        return private_key, key
    raise Undecryptable("the record key was not wrapped with any key of this form")


def decrypt_file(key: bytes, iv: bytes, data: bytes) -> bytes:
    if not data or len(data) % IV_BYTES:
        raise Undecryptable("an encrypted file's length is not a whole number of AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CFB(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = symmetric_padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise Undecryptable("an encrypted file's padding is wrong") from exc


def signature_source(manifest: Manifest, plain_md5s: list[str]) -> bytes:
    """What the signature is the md5 of; `plain_md5s` in order of encryption."""
    lines = [manifest.form_id]
    if manifest.version is not None:
        lines.append(manifest.version)
    lines += [manifest.encrypted_key, manifest.instance_id]
    lines += [f"{plain_name(name)}::{digest}" for name, digest in zip(manifest.files,
                                                                        plain_md5s)]
    return "".join(line + "\n" for line in lines).encode("utf-8")


@dataclass(frozen=True)
class Opened:
    xml: bytes
    media: dict[str, bytes]  # by plain name, as the report names them


def open_record(private_keys: list[rsa.RSAPrivateKey], manifest: Manifest,
                files: dict[str, bytes]) -> Opened:
    """Decrypt every file of the record and check its signature (required here: it is what
    detects a changed ciphertext, CFB itself being malleable). `files` by encrypted name."""
    missing = [name for name in manifest.files if name not in files]
    if missing:
        raise Undecryptable(f"the encrypted file(s) {', '.join(missing)} did not come with the "
                            "manifest")
    if manifest.signature is None:
        raise Undecryptable("the manifest is not signed (base64EncryptedElementSignature)")
    private_key, key = record_key(private_keys, manifest)
    plain = [decrypt_file(key, iv, files[name])
             for name, iv in zip(manifest.files, ivs(manifest.instance_id, key,
                                                     len(manifest.files)))]
    expected = hashlib.md5(signature_source(
        manifest, [hashlib.md5(data).hexdigest() for data in plain])).digest()
    if not hmac.compare_digest(unwrap(private_key, manifest.signature), expected):
        raise Undecryptable("the signature does not match the files (altered, or mixed up)")
    return Opened(xml=plain[-1], media={plain_name(name): data
                                        for name, data in zip(manifest.media, plain[:-1])})
