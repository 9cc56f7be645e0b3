"""Photos are decoded, cleaned of every metadata block and stored content-addressed."""
import hashlib
import io
import os

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from server.attachments import jpeg_lossless, photos
from server.core import storage
from server.core.errors import ValidationFailed
from tests import photos as samples

MAX = 40_000_000


def test_jpeg_with_gps_is_stored_without_any_exif(app):
    original = samples.jpeg_with_gps(colour=tuple(os.urandom(3)))  # no thumbnail of it yet
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825), \
        "the sample must carry GPS to make this test meaningful"
    with app.app_context():
        stored = photos.save(photos.prepare(original, "a.jpg", MAX))
        path = storage.path_for(stored.sha256, ".jpg")
        kept = Image.open(path)
        assert dict(kept.getexif()) == {}
        assert "exif" not in kept.info and "xmp" not in kept.info and "icc_profile" not in kept.info
        assert b"SERIAL-0042" not in path.read_bytes() and b"PhoneMaker" not in path.read_bytes()
        assert kept.size == (64, 48)
        assert not storage.path_for(stored.sha256, photos.THUMB_SUFFIX).exists(), \
            "thumbnails are made when first asked for"
        thumb = Image.open(photos.thumbnail(stored.sha256, stored.media_type))
        assert thumb.format == "JPEG" and max(thumb.size) <= photos.THUMB_EDGE
        assert dict(thumb.getexif()) == {}


APP0, SOF0, DHT, DQT, SOS = 0xE0, 0xC0, 0xC4, 0xDB, 0xDA


def test_an_upright_jpeg_keeps_its_exact_pixels_and_nothing_else(app):
    original = samples.jpeg_with_everything()
    assert jpeg_lossless.available(), "libturbojpeg0 is installed by make test (system-deps)"
    with app.app_context():
        stored = photos.save(photos.prepare(original, "a.jpg", MAX))
        data = storage.path_for(stored.sha256, ".jpg").read_bytes()
    assert set(samples.segments(data)) <= {APP0, SOF0, DHT, DQT, SOS}
    assert data.endswith(b"\xff\xd9"), "nothing after the end of the image"
    for secret in (b"SERIAL-0042", b"PhoneMaker", b"CAMERA-OWNER", b"34.11", b"TRAILING"):
        assert secret not in data
    kept, before = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(original))
    assert dict(kept.getexif()) == {} and not {"xmp", "icc_profile", "comment"} & set(kept.info)
    assert kept.tobytes() == before.tobytes(), "rebuilt from its coefficients: same pixels"
    assert stored.received_sha256 == hashlib.sha256(original).hexdigest() != stored.sha256
    assert stored.captured_at == "2026-11-20T09:15:02+04:30", "kept for the chain of custody"


@pytest.mark.parametrize("orientation,size,lossless", [
    (6, (96, 64), True),    # sides in whole 16-pixel blocks: the blocks are turned, no loss
    (8, (96, 64), True),
    (3, (96, 64), True),
    (6, (100, 60), False),  # a turn would drop edge pixels: decoded, turned, re-encoded
])
def test_a_sideways_jpeg_is_turned_upright_and_stripped(app, monkeypatch, orientation, size,
                                                        lossless):
    original = samples.jpeg_with_everything(size=size, orientation=orientation)
    turned = []
    strip = jpeg_lossless.strip

    def watched(data, turn=1):
        result = strip(data, turn)
        turned.append(turn)
        return result
    monkeypatch.setattr(jpeg_lossless, "strip", watched)
    with app.app_context():
        stored = photos.save(photos.prepare(original, "a.jpg", MAX))
        data = storage.path_for(stored.sha256, ".jpg").read_bytes()
    assert turned == ([orientation] if lossless else [])
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(original))).convert("RGB")
    kept = Image.open(io.BytesIO(data))
    assert kept.size == upright.size == (stored.width, stored.height)
    difference = ImageChops.difference(kept.convert("RGB"), upright)
    # The same picture, upright (a wrong turn of this noisy sample differs by ~80 on average);
    # re-encoding it loses more than moving its blocks does.
    assert sum(ImageStat.Stat(difference).mean) / 3 < (3 if lossless else 15)
    assert stored.captured_at == "2026-11-20T09:15:02+04:30"
    assert dict(kept.getexif()) == {} and b"SERIAL-0042" not in data and b"TRAILING" not in data


def test_a_jpeg_with_damaged_image_data_is_still_judged_by_pillow(app):
    original = bytearray(samples.jpeg_with_everything())
    scan = original.index(b"\xff\xda")
    original[scan + 40:scan + 44] = b"\x13\x37\x13\x37"
    with pytest.raises(ValueError, match="Corrupt JPEG data"):
        jpeg_lossless.strip(bytes(original))  # libjpeg-turbo warns: no lossless copy of it
    with app.app_context():  # Pillow decodes it, and it is re-encoded
        stored = photos.save(photos.prepare(bytes(original), "a.jpg", MAX))
        data = storage.path_for(stored.sha256, ".jpg").read_bytes()
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {} and b"SERIAL-0042" not in data


@pytest.mark.parametrize("sample", [samples.jpeg_with_everything, samples.mpo_with_depth_map])
def test_without_libturbojpeg_jpegs_are_re_encoded_just_as_clean(monkeypatch, sample):
    monkeypatch.setattr(jpeg_lossless, "_lib", None)
    prepared = photos.prepare(sample(), "a.jpg", MAX)
    kept = Image.open(io.BytesIO(prepared.encoded))
    assert kept.format == "JPEG" and dict(kept.getexif()) == {}
    assert set(samples.segments(prepared.encoded)) <= {APP0, SOF0, DHT, DQT, SOS}
    assert b"SERIAL-0042" not in prepared.encoded and b"TRAILING" not in prepared.encoded


def test_a_multi_picture_jpeg_keeps_only_its_photo(app):
    original = samples.mpo_with_depth_map()
    assert Image.open(io.BytesIO(original)).format == "MPO"
    with app.app_context():
        stored = photos.save(photos.prepare(original, "portrait.jpg", MAX))
        data = storage.path_for(stored.sha256, ".jpg").read_bytes()
    kept = Image.open(io.BytesIO(data))
    assert stored.media_type == "image/jpeg" and kept.format == "JPEG" and kept.size == (64, 48)
    assert data.count(b"\xff\xd8") == 1 and b"MPF" not in data, "one picture, no MP index"


@pytest.mark.parametrize("data,fmt", [(samples.png(), "image/png"), (samples.webp(), "image/webp")])
def test_png_and_webp_are_accepted_by_content(app, data, fmt):
    with app.app_context():
        stored = photos.save(photos.prepare(data, "photo.jpg", MAX))  # name says jpg: ignored
    assert stored.media_type == fmt


def test_a_script_named_jpg_is_refused():
    with pytest.raises(ValidationFailed) as info:
        photos.prepare(samples.SCRIPT, "evil.jpg", MAX)
    assert "evil.jpg" in info.value.errors and "decoded" in info.value.detail


def test_a_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(ValidationFailed) as info:
        photos.prepare(samples.png_bomb(), "bomb.png", MAX)
    assert "decompression bomb" in info.value.detail and "10000x5000" in info.value.detail


def test_a_truncated_jpeg_is_refused():
    with pytest.raises(ValidationFailed):
        photos.prepare(samples.jpeg_with_gps()[:300], "cut.jpg", MAX)


def test_same_photo_is_stored_once(app):
    data = samples.png()
    with app.app_context():
        a = photos.save(photos.prepare(data, "a.png", MAX))
        b = photos.save(photos.prepare(data, "b.png", MAX))
    assert a.sha256 == b.sha256


@pytest.mark.parametrize("taken,offset,kept", [
    ("2026:11:20 09:15:02", "+04:30", "2026-11-20T09:15:02+04:30"),
    ("2026:11:20 09:15:02", "-03:00", "2026-11-20T09:15:02-03:00"),
    ("2026:11:20 09:15:02", None, "2026-11-20T09:15:02"),        # no offset: as written
    ("2026:11:20 09:15:02", "+99:99", "2026-11-20T09:15:02"),    # not an offset: dropped
    ("2026:11:20 09:15:02", "+٠٤:٣٠", "2026-11-20T09:15:02"),    # only ASCII digits
    ("0000:00:00 00:00:00", None, None),                         # cameras' "unset"
    ("yesterday", "+04:30", None),
])
def test_the_capture_time_is_kept_only_when_it_is_a_time(taken, offset, kept):
    image, exif = Image.new("RGB", (16, 16)), Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = taken
    if offset is not None:
        exif.get_ifd(0x8769)[0x9011] = offset
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    assert photos.prepare(out.getvalue(), "a.jpg", MAX).captured_at == kept
