"""One private folder for what the tests may keep between runs (a scratch cluster's template, a
generated client), each entry keyed by everything it is made from: safe to delete at any time."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "nezarat-test-cache"


def private_cache() -> Path | None:
    """Ours alone (made by this user, mode 700), or None: what another user could plant there
    (a package that would be imported, a data folder that would be copied) is never used."""
    try:
        CACHE.mkdir(mode=0o700, exist_ok=True)
        found = CACHE.stat()
    except OSError:
        return None
    if found.st_uid != os.getuid() or found.st_mode & 0o077:
        return None
    return CACHE


def kept(name: str, make: Callable[[Path], object]) -> Path | None:
    """The cache entry `name` (its key in its name), made by make(folder) when missing; None
    without a private cache. An entry is made in a folder of its own and renamed into place, so
    one that exists is whole; a failed make leaves nothing, and when two runs make the same
    entry the first one's stays."""
    cache = private_cache()
    if cache is None:
        return None
    done = cache / name
    if done.is_dir():
        return done
    stage = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=cache))
    try:
        make(stage)
        stage.rename(done)
    except OSError:
        if not done.is_dir():
            raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return done
