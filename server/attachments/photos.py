"""Photos in: read by Pillow (never trusted by name), bombs refused, every byte of metadata
dropped by re-encoding (a JPEG from its coefficients, anything else from its pixels), stored
content-addressed. A thumbnail is made the first time someone looks at one, not on the way
in: most photos are received many times more often than viewed."""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from ..core import metrics, storage
from ..core.errors import PayloadTooLarge, ValidationFailed
from . import jpeg_lossless, jpeg_scans

FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"),
           "WEBP": ("image/webp", ".webp"),
           # A JPEG with more pictures in it (a depth map, a second lens): many phones take
           # these. The first picture is kept, as a plain JPEG; the others are metadata too.
           "MPO": ("image/jpeg", ".jpg")}
MAX_BYTES = 15_000_000
# A camera writes 1 scan, a progressive encoder about 10; each scan costs a walk over every
# block of the picture (jpeg_scans), so 64 scans of the largest picture allowed (40 MP) cost
# about as much as decoding it a few times over, and 883 (a crafted file) seconds.
MAX_JPEG_SCANS = 64
THUMB_EDGE = 320
THUMB_SUFFIX = ".thumb.jpg"
ORIENTATION = 0x0112  # EXIF tags: in the first IFD
EXIF_IFD, TAKEN, TAKEN_OFFSET = 0x8769, 0x9003, 0x9011  # DateTimeOriginal, OffsetTimeOriginal
_UTC_OFFSET = re.compile(r"[+-](\d\d):(\d\d)", re.ASCII)


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    media_type: str
    width: int
    height: int
    bytes: int
    received_sha256: str
    captured_at: str | None


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.field(field, message)


def _open(data: bytes, field: str, max_pixels: int) -> Image.Image:
    """The image's header, read by Pillow from the content (never the name): its format
    accepted, its size and (JPEG) its number of scans within bounds before a single pixel is
    decoded."""
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(f"{field}: photo is {len(data)} bytes; the limit is {MAX_BYTES}.")
    with _pillow_errors(field):
        image = Image.open(io.BytesIO(data))
        if image.format not in FORMATS:
            raise _refuse(field, f"{image.format} images are not accepted; send JPEG, PNG "
                                 "or WebP.")
        width, height = image.size
        if width * height > max_pixels:
            raise _refuse(field, f"image is {width}x{height} pixels, more than the "
                                 f"{max_pixels:,} allowed (possible decompression bomb).")
    if image.format in ("JPEG", "MPO") and \
            jpeg_scans.scans(data, MAX_JPEG_SCANS) > MAX_JPEG_SCANS:
        raise _refuse(field, f"progressive JPEG with more than {MAX_JPEG_SCANS} scans (a camera "
                             "writes at most about 10; so many cost too much to decode).")
    return image


def _decode(image: Image.Image, field: str) -> Image.Image:
    with _pillow_errors(field):
        image.load()
    return image


@contextmanager
def _pillow_errors(field: str):
    """Pillow's many ways of saying no, as one clear refusal naming the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(field, "not a JPEG, PNG or WebP image that can be decoded.")
    except (OSError, SyntaxError, ValueError) as exc:
        raise _refuse(field, f"the image is damaged and cannot be decoded ({exc}).")


def _clean(image: Image.Image, orientation: int) -> Image.Image:
    """Pixels only: orientation applied, then every info block (EXIF, XMP, IPTC, ICC) gone."""
    if orientation != 1:
        ImageOps.exif_transpose(image, in_place=True)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info or image.mode == "PA"
                              else "RGB")
    image.info = {}
    return image


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 = upright); 1 too when the EXIF block cannot be read, since
    a block that cannot be read is dropped like any other."""
    try:
        return image.getexif().get(ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - untrusted metadata fails in many ways; none matters
        return 1


def _encode(image: Image.Image, fmt: str) -> bytes:
    """Encoded into an anonymous in-memory file rather than a BytesIO: Pillow lets go of the
    GIL only when it encodes to a file, and a web worker's other threads should not wait for
    a photo's few milliseconds of JPEG encoding."""
    with _scratch_file() as out:
        if fmt == "JPEG":
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image.save(out, "JPEG", quality=85, optimize=False)
        elif fmt == "WEBP":
            image.save(out, "WEBP", quality=85)
        else:
            image.save(out, "PNG")
        out.seek(0)
        return out.read()


def _scratch_file():
    """A file that lives in memory and vanishes when closed (memfd on Linux)."""
    if hasattr(os, "memfd_create"):
        return open(os.memfd_create("nezarat-photo", os.MFD_CLOEXEC), "w+b")
    return tempfile.TemporaryFile()


@dataclass(frozen=True)
class PreparedPhoto:
    encoded: bytes
    media_type: str
    suffix: str
    width: int
    height: int
    received_sha256: str  # of the bytes as they came, metadata and all
    captured_at: str | None  # when the camera says it was taken


def prepare(data: bytes, field: str, max_pixels: int) -> PreparedPhoto:
    """Decode and clean in memory; nothing is written, so a bad photo leaves no trace.

    A colour or grey JPEG is rebuilt from its coefficients (jpeg_lossless), turned upright by
    moving whole blocks when the camera wrote it sideways: the same pixels, none of the other
    bytes. Anything else — PNG, WebP, a JPEG that libjpeg-turbo finds the least bit damaged,
    or a sideways one whose sides are not whole blocks — is decoded by Pillow, turned upright
    and re-encoded."""
    image = _open(data, field, max_pixels)
    fmt = image.format
    media_type, suffix = FORMATS[fmt]
    custody = (hashlib.sha256(data).hexdigest(), _captured_at(image))
    orientation = _orientation(image)
    if media_type == "image/jpeg" and image.mode in ("RGB", "L") and \
            jpeg_lossless.available() and orientation in jpeg_lossless.UPRIGHT:
        width, height = image.size
        if orientation >= 5:  # turned a quarter: the sides swap
            width, height = height, width
        try:
            prepared = PreparedPhoto(jpeg_lossless.strip(data, orientation), media_type,
                                     suffix, width, height, *custody)
            metrics.photo_cleaned("lossless")
            return prepared
        except ValueError:
            pass  # damaged in some way, or not turnable without loss: Pillow decides below
    clean = _clean(_decode(image, field), orientation)
    metrics.photo_cleaned("reencoded")
    return PreparedPhoto(_encode(clean, "JPEG" if fmt == "MPO" else fmt), media_type, suffix,
                         clean.width, clean.height, *custody)


def _captured_at(image: Image.Image) -> str | None:
    """EXIF DateTimeOriginal as ISO 8601 (with OffsetTimeOriginal when the camera wrote one);
    None when absent or not a date. Read before the metadata goes, and nothing else is."""
    try:
        exif = image.getexif().get_ifd(EXIF_IFD)
        taken = datetime.strptime(str(exif.get(TAKEN, "")).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
        offset = str(exif.get(TAKEN_OFFSET, "")).strip("\x00 ")
    except Exception:  # noqa: BLE001 - untrusted metadata fails in many ways; none matters
        return None
    match = _UTC_OFFSET.fullmatch(offset)
    if match and int(match[1]) * 60 + int(match[2]) <= 14 * 60 and int(match[2]) < 60:
        return taken.isoformat() + offset
    return taken.isoformat()


def save(prepared: PreparedPhoto) -> StoredPhoto:
    digest = storage.put(prepared.encoded, prepared.suffix)
    return StoredPhoto(digest, prepared.media_type, prepared.width, prepared.height,
                       len(prepared.encoded), prepared.received_sha256, prepared.captured_at)


def thumbnail(sha256: str, media_type: str) -> Path:
    """The thumbnail of a stored photo, made and kept the first time it is asked for. A JPEG
    is decoded straight at a fraction of its size (Pillow's draft), so this costs less than
    receiving the photo did."""
    target = storage.path_for(sha256, THUMB_SUFFIX)
    if not target.exists():
        with Image.open(storage.path_for(sha256, suffix_of(media_type))) as image:
            image.thumbnail((THUMB_EDGE, THUMB_EDGE))
            storage.put_as(sha256, _encode(image, "JPEG"), THUMB_SUFFIX)
    return target


def suffix_of(media_type: str) -> str:
    return next(s for mt, s in FORMATS.values() if mt == media_type)
