"""The photo store's backup copy (issue 13, point 2): content-addressed, only new files copied,
every file checked against the SHA-256 in its name when copied, verified and restored."""
from __future__ import annotations

import hashlib
from pathlib import Path

from server.ops import photos


def _put(root: Path, content: bytes, suffix: str = ".jpg", name: str | None = None) -> str:
    sha = name or hashlib.sha256(content).hexdigest()
    path = root / sha[:2] / sha[2:4] / f"{sha}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return sha


def test_only_new_originals_are_copied_and_every_copy_is_checked(tmp_path):
    store, backup, again = tmp_path / "store", tmp_path / "backup", tmp_path / "again"
    first = _put(store, b"first photo")
    second = _put(store, b"second photo", ".png")
    _put(store, b"a thumbnail of the first", ".thumb.webp", name=first)  # derived: not copied
    rotten = _put(store, b"bit rot", name="0" * 64)  # its content is not its name

    report = photos.sync(store, backup)
    assert (report.copied, report.derived) == (2, 1)
    assert report.problems == [f"{'0' * 64}.jpg in the store does not match its hash"]
    assert photos.digest(backup / first[:2] / first[2:4] / f"{first}.jpg") == first
    assert not (backup / rotten[:2]).exists()

    third = _put(store, b"third photo")
    later = photos.sync(store, backup)
    assert (later.copied, later.present) == (1, 2)  # only the new one
    assert photos.verify(backup).present == 3 and not photos.verify(backup).problems

    # a copy damaged in the backup: verify names it, and a restore refuses it
    damaged = backup / second[:2] / second[2:4] / f"{second}.png"
    damaged.write_bytes(b"damaged")
    assert photos.verify(backup).problems == [f"{second}.png in the backup does not match its hash"]
    restored, missing = photos.restore(backup, again, {first, second, third})
    assert restored.copied == 2 and missing == {second}
    assert restored.problems and second in restored.problems[0]
    assert not (again / second[:2] / second[2:4] / f"{second}.png").exists()
    assert photos.digest(again / third[:2] / third[2:4] / f"{third}.jpg") == third
