"""Metadata out of a JPEG without touching its pixels: the TurboJPEG library reads the image's
DCT coefficients and writes a new file from them (what `jpegtran -copy none` does). Nothing of
the original file is copied but the image itself: no EXIF, XMP, IPTC, ICC or comment segment,
no bytes after the end of the image. The picture is bit-for-bit the one the monitor took, where
a decode and re-encode would lose a little of it each time; and it costs about half as much.

libjpeg-turbo decodes every coefficient on the way, so a damaged file does not get through:
any warning (corrupt or truncated data) is an error here, and the caller falls back to
Pillow's decode and re-encode, which decides whether the photo can be accepted at all.

Needs the system library libturbojpeg (Debian: libturbojpeg0). Without it `available()` is
False and every JPEG takes the re-encoding path.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

_STOP_ON_WARNING = 8192  # TJFLAG_STOPONWARNING
_LIMIT_SCANS = 32768     # TJFLAG_LIMITSCANS (2.1+: at most 500); photos.py counts 64 before
_COPY_NONE = 64          # TJXOPT_COPYNONE
_PERFECT = 1             # TJXOPT_PERFECT: refuse a turn that would have to drop edge pixels
# EXIF orientation -> the TJXOP_* turn or flip that makes the picture upright.
UPRIGHT = {1: 0, 2: 1, 3: 6, 4: 2, 5: 3, 6: 5, 7: 4, 8: 7}


class _Region(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("w", ctypes.c_int),
                ("h", ctypes.c_int)]


class _Transform(ctypes.Structure):
    _fields_ = [("r", _Region), ("op", ctypes.c_int), ("options", ctypes.c_int),
                ("data", ctypes.c_void_p), ("customFilter", ctypes.c_void_p)]


_Bytes = ctypes.POINTER(ctypes.c_ubyte)


def _load():
    for name in ("libturbojpeg.so.0", ctypes.util.find_library("turbojpeg")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)  # calls through CDLL let go of the GIL
        except OSError:
            continue
        lib.tjInitTransform.restype = ctypes.c_void_p
        lib.tjInitTransform.argtypes = []
        lib.tjDestroy.argtypes = [ctypes.c_void_p]
        lib.tjFree.restype = None
        lib.tjFree.argtypes = [_Bytes]
        lib.tjGetErrorStr2.restype = ctypes.c_char_p
        lib.tjGetErrorStr2.argtypes = [ctypes.c_void_p]
        lib.tjTransform.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_int,
            ctypes.POINTER(_Bytes), ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(_Transform), ctypes.c_int]
        return lib
    log.warning("libturbojpeg not found: JPEG photos will be decoded and re-encoded "
                "(install libturbojpeg0 to keep them lossless)")
    return None


_lib = _load()


def available() -> bool:
    return _lib is not None


def strip(data: bytes, orientation: int = 1) -> bytes:
    """A new JPEG with the same coefficients and none of the original's other bytes, turned
    upright for its EXIF `orientation` (a lossless turn of the coefficient blocks); ValueError
    (with libjpeg's message) when the data is damaged in any way, or when the turn is not
    perfect (a side that is not a whole number of blocks would lose its edge pixels)."""
    if _lib is None:
        raise ValueError("libturbojpeg is not installed")
    operation = UPRIGHT.get(orientation, 0)
    transform = _Transform(op=operation, options=_COPY_NONE | (_PERFECT if operation else 0))
    out, size = _Bytes(), ctypes.c_ulong(0)
    # A handle of its own for every call: handles are not thread-safe, and libturbojpeg 2.1
    # may write a corrupt file with a handle that once wrote a progressive one.
    handle = _lib.tjInitTransform()
    if not handle:
        raise MemoryError("libturbojpeg could not start")
    try:
        if _lib.tjTransform(handle, data, len(data), 1, ctypes.byref(out), ctypes.byref(size),
                            ctypes.byref(transform), _STOP_ON_WARNING | _LIMIT_SCANS) != 0:
            raise ValueError(_lib.tjGetErrorStr2(handle).decode(errors="replace"))
        return ctypes.string_at(out, size.value)
    finally:
        if out:
            _lib.tjFree(out)
        _lib.tjDestroy(handle)
