"""Photos are decoded, cleaned of every metadata block and stored content-addressed."""
import pytest
from PIL import Image

from server.attachments import photos
from server.core import storage
from server.core.errors import ValidationFailed
from tests import photos as samples

MAX = 40_000_000


def test_jpeg_with_gps_is_stored_without_any_exif(app):
    original = samples.jpeg_with_gps()
    assert Image.open(__import__("io").BytesIO(original)).getexif().get_ifd(0x8825), \
        "the sample must carry GPS to make this test meaningful"
    with app.app_context():
        stored = photos.save(photos.prepare(original, "a.jpg", MAX))
        path = storage.path_for(stored.sha256, ".jpg")
        kept = Image.open(path)
        assert dict(kept.getexif()) == {}
        assert "exif" not in kept.info and "xmp" not in kept.info and "icc_profile" not in kept.info
        assert b"SERIAL-0042" not in path.read_bytes() and b"PhoneMaker" not in path.read_bytes()
        assert kept.size == (64, 48)
        thumb = storage.path_for(stored.sha256, ".thumb.jpg")
        assert Image.open(thumb).format == "JPEG"


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
