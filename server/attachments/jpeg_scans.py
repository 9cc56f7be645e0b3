"""How many scans a JPEG's picture has, counted from its bytes without decoding anything.

A progressive JPEG sends its picture in scans, and a decoder walks every block of the picture
once per scan, however little a scan carries. A camera writes one scan, a progressive encoder
about ten; a crafted file of 120 KB can hold nearly 900 (every coefficient at every bit depth)
and cost seconds of CPU on a large picture (libjpeg-turbo's TJFLAG_LIMITSCANS exists for the
same reason). Counting the start-of-scan markers first costs
microseconds: the segments before a scan are skipped by their length, and a scan's
entropy-coded data by searching for the next marker (0xFF followed by anything but a stuffed
0x00, a restart marker or a fill byte), which `re` does in C.
"""
from __future__ import annotations

import re

SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
_NEXT_MARKER = re.compile(rb"\xff[\x01-\xcf\xd8-\xfe]")
_STANDALONE = frozenset(range(0xD0, 0xD8)) | {0x01}  # RSTn and TEM carry no length


def scans(data: bytes, stop_after: int) -> int:
    """The number of scans of the first picture (an MPO's others are dropped anyway), counted
    up to `stop_after` + 1 at most. A file that is not laid out as a JPEG stops the count
    where it goes wrong: the decoder refuses it later."""
    if data[:2] != b"\xff\xd8":
        return 0
    count, pos, size = 0, 2, len(data)
    while pos + 4 <= size:
        if data[pos] != 0xFF:
            return count
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == EOI:
            return count
        if marker in _STANDALONE:
            pos += 2
            continue
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker == SOS:
            count += 1
            if count > stop_after:
                return count
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                return count
            pos = found.start()
    return count
