"""TOTP secrets are sealed at rest (AES-GCM under DATA_KEY, else SECRET_KEY), and migration
0010 seals the seeds stored in plain before it."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import text

from server import config
from server.accounts.models import User
from server.core import sealing
from tests import factories
from tests.conftest import login

MIGRATION = Path(__file__).resolve().parents[3] / "migrations/versions/0010_sealed_totp_secrets.py"


def stored(session, user) -> str:
    return session.execute(text("SELECT totp_secret FROM users WHERE id = :id"),
                           {"id": user.id}).scalar()


def test_the_database_holds_no_plain_totp_seed(session):
    user = factories.user(session, "coordinator")
    raw = stored(session, user)
    assert raw.startswith("v1:") and user.totp_secret not in raw
    assert len(raw) > len(user.totp_secret)
    key = sealing.derive_key("test-secret", sealing.TOTP_SECRET)
    assert sealing.unseal(raw, key, sealing.TOTP_SECRET) == user.totp_secret
    with pytest.raises(sealing.Unreadable):  # another server's key opens nothing
        sealing.unseal(raw, sealing.derive_key("other", sealing.TOTP_SECRET), sealing.TOTP_SECRET)
    with pytest.raises(sealing.Unreadable):  # nor does the key of another purpose
        sealing.unseal(raw, sealing.derive_key("test-secret", "x"), "x")


def test_sealing_is_randomised_and_tamper_evident():
    key = sealing.derive_key("k", sealing.TOTP_SECRET)
    one, two = (sealing.seal("JBSWY3DPEHPK3PXP", key, sealing.TOTP_SECRET) for _ in range(2))
    assert one != two
    flipped = one[:-3] + ("A" if one[-3] != "A" else "B") + one[-2:]
    with pytest.raises(sealing.Unreadable):
        sealing.unseal(flipped, key, sealing.TOTP_SECRET)


def test_data_key_wins_over_secret_key():
    assert sealing.master_key({"SECRET_KEY": "s", "DATA_KEY": "d"}) == "d"
    assert sealing.master_key({"SECRET_KEY": "s", "DATA_KEY": ""}) == "s"
    assert config.load({"DATA_KEY": "d", "SECRET_KEY": "s"}, environ={})["DATA_KEY"] == "d"


def test_sign_in_reads_the_sealed_seed(app, session):
    user = factories.user(session, "admin")
    assert stored(session, user).startswith("v1:")
    login(app.test_client(), user)  # the second factor is checked against the opened seed


def test_a_seed_sealed_under_another_key_fails_closed(app, session):
    user = factories.user(session, "coordinator")
    other = sealing.seal(user.totp_secret, sealing.derive_key("other", sealing.TOTP_SECRET),
                         sealing.TOTP_SECRET)
    session.execute(text("UPDATE users SET totp_secret = :v WHERE id = :id"),
                    {"v": other, "id": user.id})
    session.expire_all()
    reloaded = session.get(User, user.id)
    assert reloaded.totp_secret is None and reloaded.email == user.email  # the account loads


def _migration():
    spec = importlib.util.spec_from_file_location("m0010", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_0010_seals_plain_seeds_and_opens_them_on_downgrade(session, monkeypatch):
    user = factories.user(session, "coordinator")
    plain = pyotp.random_base32()
    session.execute(text("UPDATE users SET totp_secret = :v WHERE id = :id"),
                    {"v": plain, "id": user.id})
    module = _migration()
    monkeypatch.setattr(module, "op", type("Op", (), {"get_bind": lambda: session.connection()}))
    monkeypatch.setattr(module, "_key", lambda: sealing.derive_key("test-secret",
                                                                   sealing.TOTP_SECRET))
    module.upgrade()
    sealed = stored(session, user)
    assert sealed.startswith("v1:") and plain not in sealed
    session.expire_all()
    assert session.get(User, user.id).totp_secret == plain
    module.upgrade()  # a second run leaves sealed values alone
    assert stored(session, user) == sealed
    module.downgrade()
    assert stored(session, user) == plain


def test_without_secret_key_every_process_agrees_on_one_kept_key(tmp_path):
    """gunicorn's workers (and a restart) must open what another one sealed."""
    first = config.load({"STORAGE_DIR": str(tmp_path)}, environ={})["SECRET_KEY"]
    second = config.load({"STORAGE_DIR": str(tmp_path)}, environ={})["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / ".secret_key").stat().st_mode & 0o077 == 0
    assert config.load({"STORAGE_DIR": str(tmp_path), "SECRET_KEY": "set"},
                       environ={})["SECRET_KEY"] == "set"
