"""The accounts commands: first admin, users, organisations, device tokens, partner keys; and the
demo accounts."""
from __future__ import annotations

import re

from sqlalchemy import select, text

from server.accounts import odk
from server.accounts.models import DeviceToken, PartnerKey, User
from server.core import sealing
from server.core.audit import AuditEntry
from server.core.sealing import TOTP_SECRET as TOTP_PURPOSE
from server.demo import accounts as demo
from tests import factories
from tests.conftest import login

# The demo accounts do not depend on how much synthetic history comes with them (its size is
# tests/integration/platform/test_demo.py's): a few weeks of it keep these tests quick.
SHORT = ("--years", "0.1")


def test_create_admin_with_a_password(runner, session, app):
    result = runner.invoke(args=["create-admin", "--email", "Boss@Example.org"],
                           input="a long admin password\na long admin password\n")
    assert result.exit_code == 0, result.output
    admin = session.scalar(select(User).where(User.email == "boss@example.org"))
    assert admin.role == "admin" and admin.organisation.name == "Deployment administrators"
    assert admin.password_hash.startswith("$argon2id$")
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert entry.actor_kind == "cli"
    # the first sign-in leads to two-factor enrolment
    client = app.test_client()
    csrf = client.get("/api/auth/session").get_json()["csrf_token"]
    first = client.post("/sign-in", data={"email": "boss@example.org", "csrf_token": csrf,
                                          "password": "a long admin password"})
    assert first.headers["Location"].startswith("/account/two-factor")


def test_create_admin_refuses_a_weak_password_and_a_taken_email(runner, session):
    weak = runner.invoke(args=["create-admin", "--email", "a@example.org"],
                         input="short\nshort\n")
    assert weak.exit_code != 0 and "at least 12" in weak.output
    assert session.scalar(select(User.id).where(User.email == "a@example.org")) is None
    taken = factories.user(session)
    again = runner.invoke(args=["create-admin", "--email", taken.email, "--link"])
    assert again.exit_code != 0 and "already has an account" in again.output


def test_user_commands(runner, session, app):
    org = factories.organisation(session, name="Herat Watch")
    created = runner.invoke(args=["user", "create", "--email", "m@example.org", "--name", "Mina",
                                  "--role", "monitor", "--org", org.short_name.lower()])
    assert created.exit_code == 0, created.output
    link = re.search(r"http://\S+/reset/(nzr_[\w-]+)", created.output)
    assert link
    user = session.scalar(select(User).where(User.email == "m@example.org"))
    assert user.organisation_id == org.id and user.password_hash is None

    listed = runner.invoke(args=["user", "list", "--org", "Herat Watch"])
    assert "m@example.org" in listed.output and "monitor" in listed.output
    assert runner.invoke(args=["user", "set-role", "m@example.org", "coordinator"]).exit_code == 0
    assert runner.invoke(args=["user", "deactivate", "m@example.org"]).exit_code == 0
    session.refresh(user)
    assert user.role == "coordinator" and user.active is False
    assert runner.invoke(args=["user", "activate", "m@example.org"]).exit_code == 0
    reset = runner.invoke(args=["user", "reset-link", "m@example.org"])
    assert "/reset/nzr_" in reset.output
    missing = runner.invoke(args=["user", "deactivate", "nobody@example.org"])
    assert missing.exit_code != 0 and "No user" in missing.output


def test_org_commands(runner, session):
    created = runner.invoke(args=["org", "create", "UN Agency", "--kind", "partner",
                                  "--short-name", "UNA"])
    assert created.exit_code == 0, created.output
    assert "UN Agency" in runner.invoke(args=["org", "list"]).output
    bad = runner.invoke(args=["org", "create", "Bad", "--country", "Afghanistan"])
    assert bad.exit_code != 0


def test_device_token_create_prints_the_token_once(runner, session, client):
    monitor = factories.user(session, "monitor")
    result = runner.invoke(args=["device-token", "create", "--user", monitor.email,
                                 "--label", "Phone 1", "--qr"])
    assert result.exit_code == 0, result.output
    raw = re.search(r"token:\s+(nzd_[\w-]+)", result.output)[1]
    payload = re.search(r"QR payload\): (\S+)", result.output)[1]
    assert odk.decode(payload)["general"]["server_url"].endswith(f"/key/{raw}")
    assert "█" in result.output or "▀" in result.output  # the QR code drawn in the terminal
    assert client.get("/api/facilities", headers=factories.bearer(raw)).status_code == 200
    token_id = session.scalar(select(DeviceToken.id))
    assert raw not in runner.invoke(args=["device-token", "list"]).output
    assert runner.invoke(args=["device-token", "revoke", str(token_id)]).exit_code == 0
    assert client.get("/api/facilities", headers=factories.bearer(raw)).status_code == 401


def test_partner_key_create_prints_the_key_once(runner, session, client):
    factories.organisation(session, name="Data Partner", kind="partner")
    result = runner.invoke(args=["partner-key", "create", "--org", "Data Partner",
                                 "--scopes", "facilities:read, exports"])
    assert result.exit_code == 0, result.output
    raw = re.search(r"^(nzp_[\w-]+)$", result.output, re.M)[1]
    key = session.scalar(select(PartnerKey))
    assert key.scopes == ["exports", "facilities:read"]
    assert client.get("/api/facilities", headers=factories.bearer(raw)).status_code == 200
    listed = runner.invoke(args=["partner-key", "list"]).output
    assert "Data Partner" in listed and raw not in listed
    unknown = runner.invoke(args=["partner-key", "create", "--org", "Data Partner",
                                  "--scopes", "all"])
    assert unknown.exit_code != 0 and "unknown: all" in unknown.output
    assert runner.invoke(args=["partner-key", "revoke", str(key.id)]).exit_code == 0
    assert client.get("/api/facilities", headers=factories.bearer(raw)).status_code == 401


def test_demo_accounts_only_in_demo_mode(app, runner, session):
    assert app.config["DEMO_MODE"] is False
    skipped = runner.invoke(args=["demo", "load", *SHORT])
    assert skipped.exit_code == 0, skipped.output
    assert "demo accounts skipped" in skipped.output
    assert session.scalar(select(User.id).where(User.demo)) is None


def test_demo_accounts_sign_in_with_their_documented_passwords(app, runner, session):
    try:
        result = runner.invoke(args=["demo", "load", "--with-accounts", *SHORT])
    finally:
        app.config.pop("DEMO_ACCOUNTS", None)
    assert result.exit_code == 0, result.output
    assert demo.PARTNER_KEY in result.output and demo.DEVICE_TOKEN in result.output
    users = session.scalars(select(User).where(User.demo)).all()
    assert sorted(u.role for u in users) == ["admin", "coordinator", "coordinator", "monitor",
                                             "monitor"]
    for user in users:
        assert login(app.test_client(), user, demo.PASSWORDS[user.role])
        assert user.two_factor_enabled == (user.role != "monitor")
    client = app.test_client()
    assert client.get("/api/facilities", headers=factories.bearer(demo.PARTNER_KEY)
                      ).status_code == 200
    assert client.get("/api/facilities", headers=factories.bearer(demo.DEVICE_TOKEN)
                      ).status_code == 200
    assert runner.invoke(args=["demo", "clear"]).exit_code == 0
    assert session.scalar(select(User.id).where(User.demo)) is None


def test_demo_load_reseals_the_demo_second_factor_under_a_changed_key(app, runner, session):
    """A demo database loaded under another SECRET_KEY / DATA_KEY (its TOTP secrets unreadable
    here) is repaired by the next `flask demo load`, so the published demo code works again."""
    try:
        assert runner.invoke(args=["demo", "load", "--with-accounts", *SHORT]).exit_code == 0
        other = sealing.seal(demo.TOTP_SECRET, sealing.derive_key("another key", TOTP_PURPOSE),
                             TOTP_PURPOSE)
        session.execute(text("UPDATE users SET totp_secret = :s WHERE demo AND role <> 'monitor'"),
                        {"s": other})
        session.expire_all()
        coordinator = session.get(User, demo.demo_id("user", "coordinator@arrm.example"))
        assert coordinator.totp_secret is None  # unreadable: sealed under another key
        assert runner.invoke(args=["demo", "load", "--with-accounts", *SHORT]).exit_code == 0
    finally:
        app.config.pop("DEMO_ACCOUNTS", None)
    session.expire_all()
    coordinator = session.get(User, demo.demo_id("user", "coordinator@arrm.example"))
    assert coordinator.totp_secret == demo.TOTP_SECRET
    assert login(app.test_client(), coordinator, demo.PASSWORDS["coordinator"])
