"""Encrypt a submission exactly as ODK Collect does (EncryptionUtils.java, and the ODK XForms
encryption spec), written apart from server/openrosa/encrypted.py so that a test of one against
the other is not circular: media files first, the XML last, each with the next IV; the key
wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256); the manifest laid out as Collect's KXmlSerializer
writes it (its namespace http://www.opendatakit.org/xforms/encrypted, `orx:meta` before the
media), or as the spec's example lays it out (`layout="spec"`)."""
from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

COLLECT_NS = "http://www.opendatakit.org/xforms/encrypted"
SPEC_NS = "http://opendatakit.org/submissions"
_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def new_key_pair() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_b64(key) -> str:
    """The form's base64RsaPublicKey: base64 of the X.509 SubjectPublicKeyInfo DER."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return base64.b64encode(public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()


def public_from_b64(value: str) -> rsa.RSAPublicKey:
    return serialization.load_der_public_key(base64.b64decode(value))


@dataclass
class Encrypted:
    manifest: bytes
    files: dict[str, bytes]  # by encrypted name: the media .enc files and submission.xml.enc
    instance_id: str
    aes_key: bytes

    def parts(self) -> dict[str, bytes]:
        return {"xml_submission_file": self.manifest, **self.files}


class _Collect:
    """EncryptedFormInformation: the ivSeedArray and its counter, the signature source."""

    def __init__(self, public: rsa.RSAPublicKey, form_id, version, instance_id, key=None):
        self.public = public
        self.key = key or os.urandom(32)
        self.seed = bytearray(hashlib.md5(instance_id.encode("utf-8") + self.key).digest())
        self.counter = 0
        self.wrapped = base64.b64encode(public.encrypt(self.key, _OAEP)).decode()
        self.source = form_id + "\n"
        if version is not None:
            self.source += version + "\n"
        self.source += self.wrapped + "\n" + instance_id + "\n"

    def encrypt_file(self, name: str, data: bytes) -> bytes:
        self.source += f"{name}::{hashlib.md5(data).hexdigest()}\n"
        self.seed[self.counter % 16] = (self.seed[self.counter % 16] + 1) % 256  # ++byte
        self.counter += 1
        pad = 16 - len(data) % 16
        encryptor = Cipher(algorithms.AES(self.key), modes.CFB(bytes(self.seed))).encryptor()
        return encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()

    def signature(self) -> str:
        digest = hashlib.md5(self.source.encode("utf-8")).digest()
        return base64.b64encode(self.public.encrypt(digest, _OAEP)).decode()


def encrypt_submission(public, xml: bytes, *, form_id: str, version: str | None,
                       instance_id: str, media: dict[str, bytes] | None = None,
                       layout: str = "collect", key: bytes | None = None) -> Encrypted:
    """`public`: the RSA public key (or a private key, or the form's base64 public key)."""
    if isinstance(public, str):
        public = public_from_b64(public)
    elif isinstance(public, rsa.RSAPrivateKey):
        public = public.public_key()
    collect = _Collect(public, form_id, version, instance_id, key)
    files = {f"{name}.enc": collect.encrypt_file(name, data)
             for name, data in (media or {}).items()}
    files["submission.xml.enc"] = collect.encrypt_file("submission.xml", xml)
    signature = collect.signature()
    manifest = (_collect_manifest if layout == "collect" else _spec_manifest)(
        form_id, version, instance_id, collect.wrapped, list(files)[:-1], signature)
    return Encrypted(manifest=manifest, files=files, instance_id=instance_id,
                     aes_key=collect.key)


def _root(namespace, form_id, version) -> str:
    version_attr = f" version={quoteattr(version)}" if version is not None else ""
    return f"<data xmlns={quoteattr(namespace)} id={quoteattr(form_id)}{version_attr}"


def _collect_manifest(form_id, version, instance_id, wrapped, media, signature) -> bytes:
    media_xml = "".join(f"<media><file>{escape(name)}</file></media>\n" for name in media)
    return (_root(COLLECT_NS, form_id, version) + ' encrypted="yes">'
            f"<base64EncryptedKey>{wrapped}</base64EncryptedKey>"
            f'<orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>'
            f"{escape(instance_id)}</orx:instanceID></orx:meta>\n{media_xml}"
            "<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
            f"<base64EncryptedElementSignature>{signature}</base64EncryptedElementSignature>"
            "</data>").encode("utf-8")


def _spec_manifest(form_id, version, instance_id, wrapped, media, signature) -> bytes:
    media_xml = "".join(f"    <media>\n        <file>{escape(name)}</file>\n    </media>\n"
                        for name in media)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + _root(SPEC_NS, form_id, version) + ' encrypted="yes">\n'
            f"    <base64EncryptedKey>{wrapped}</base64EncryptedKey>\n"
            "    <encryptedXmlFile>submission.xml.enc</encryptedXmlFile>\n" + media_xml +
            f"    <base64EncryptedElementSignature>{signature}"
            "</base64EncryptedElementSignature>\n"
            '    <meta xmlns="http://openrosa.org/xforms">\n'
            f"        <instanceID>{escape(instance_id)}</instanceID>\n    </meta>\n"
            "</data>\n").encode("utf-8")


def open_stored(private: rsa.RSAPrivateKey, wrapped_b64: str, instance_id: str, index: int,
                data: bytes) -> bytes:
    """What a key holder's tool does with one stored file: unwrap the record key with the
    private key, derive the file's IV (index in order of encryption), decrypt, unpad."""
    key = private.decrypt(base64.b64decode(wrapped_b64), _OAEP)
    seed = bytearray(hashlib.md5(instance_id.encode("utf-8") + key).digest())
    for counter in range(index + 1):
        seed[counter % 16] = (seed[counter % 16] + 1) % 256
    decryptor = Cipher(algorithms.AES(key), modes.CFB(bytes(seed))).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    return padded[:-padded[-1]]
