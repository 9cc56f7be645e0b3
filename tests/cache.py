"""One private folder for what the tests may keep between runs (a scratch cluster's template, a
generated client), each entry keyed by everything it is made from: safe to delete at any time."""
from __future__ import annotations

import os
import tempfile
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
