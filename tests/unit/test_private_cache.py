"""The tests' cache (tests/cache.py) is used only when it is this user's alone: a folder that
another user could write to (a package planted there would be imported by the generated-client
test, a data folder copied into a scratch cluster) is never read."""
from __future__ import annotations

import pytest

from tests import cache


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    path = tmp_path / "nezarat-test-cache"
    monkeypatch.setattr(cache, "CACHE", path)
    return path


def test_a_folder_others_can_write_to_is_not_used(folder):
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)  # as another user could have left it in /tmp
    assert cache.private_cache() is None
    assert cache.kept("entry", lambda made: (made / "planted.py").write_text("")) is None
    assert not (folder / "entry").exists()


def test_an_entry_is_made_once_and_a_failed_one_is_not_kept(folder):
    calls = []

    def make(made):
        calls.append(made)
        (made / "printed.txt").write_text("done")

    first = cache.kept("entry", make)
    assert first == folder / "entry" and (first / "printed.txt").read_text() == "done"
    assert cache.kept("entry", make) == first and len(calls) == 1
    assert (folder.stat().st_mode & 0o777) == 0o700

    def broken(made):
        (made / "half.txt").write_text("")
        raise RuntimeError("the generator failed")

    with pytest.raises(RuntimeError):
        cache.kept("other", broken)
    assert sorted(p.name for p in folder.iterdir()) == ["entry"]
