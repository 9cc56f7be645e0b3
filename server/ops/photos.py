"""The photo store's copy in the backup location, content-addressed like the store itself
(<sha256[:2]>/<sha256[2:4]>/<sha256><suffix>): a run copies only files it does not have yet,
and every file is checked against the SHA-256 in its name, when copied and when verified.

Only originals are copied: files whose name is not their own hash (thumbnails, stored under
their original's hash) are derived and made again on demand.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

NAME = re.compile(r"^([0-9a-f]{64})(\.[A-Za-z0-9.]{1,16})?$")


@dataclass
class Report:
    copied: int = 0
    present: int = 0
    derived: int = 0
    problems: list[str] = field(default_factory=list)


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files(root: Path):
    """(name's hash, suffix, path) of every content-addressed file under root."""
    if not root.is_dir():
        return
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            match = NAME.match(name)
            if match:
                yield match.group(1), match.group(2) or "", Path(folder) / name


def _place(root: Path, sha256: str, suffix: str) -> Path:
    return root / sha256[:2] / sha256[2:4] / f"{sha256}{suffix}"


def _copy_checked(source: Path, target: Path, sha256: str) -> None:
    """Copy, fsync, check the copy's hash, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".tmp-{os.getpid()}-{target.name}")
    with open(source, "rb") as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
        dst.flush()
        os.fsync(dst.fileno())
    if digest(tmp) != sha256:
        tmp.unlink()
        raise OSError(f"copy of {sha256} does not match its hash")
    os.replace(tmp, target)


def sync(store: Path, backup: Path) -> Report:
    """Copy the originals the backup does not have yet."""
    report = Report()
    for sha256, suffix, path in _files(Path(store)):
        target = _place(Path(backup), sha256, suffix)
        if target.exists():
            report.present += 1
            continue
        if digest(path) != sha256:
            if suffix.startswith(".thumb"):
                report.derived += 1
            else:
                report.problems.append(f"{path.name} in the store does not match its hash")
            continue
        try:
            _copy_checked(path, target, sha256)
            report.copied += 1
        except OSError as exc:
            report.problems.append(f"{path.name}: {exc}")
    return report


def verify(backup: Path) -> Report:
    """Every copy in the backup against the hash in its name."""
    report = Report()
    for sha256, _, path in _files(Path(backup)):
        if digest(path) == sha256:
            report.present += 1
        else:
            report.problems.append(f"{path.name} in the backup does not match its hash")
    return report


def restore(backup: Path, store: Path, wanted: set[str]) -> tuple[Report, set[str]]:
    """Copy back the photos whose hash is in `wanted` (those the restored database names);
    returns the report and the hashes not found in the backup."""
    report, found = Report(), set()
    for sha256, suffix, path in _files(Path(backup)):
        if sha256 not in wanted:
            continue
        try:
            target = _place(Path(store), sha256, suffix)
            if not (target.exists() and digest(target) == sha256):
                _copy_checked(path, target, sha256)
                report.copied += 1
            else:
                report.present += 1
            found.add(sha256)
        except OSError as exc:
            report.problems.append(f"{path.name}: {exc}")
    return report, wanted - found
