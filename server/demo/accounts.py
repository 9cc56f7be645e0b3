"""Demo step: one account per role for the demo organisations, a device token and a partner key.

Only with DEMO_MODE=true (or `flask demo load --with-accounts`): these passwords, the TOTP secret
and the two secrets below are published in the README, so they must never exist on a real
deployment.
"""
from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import select, text

from ..accounts import credentials, service
from ..accounts.models import DeviceToken, PartnerKey, User
from ..core import audit
from ..core.db import db
from .places import demo_id

PASSWORDS = {"admin": "demo-admin-password", "coordinator": "demo-coordinator-password",
             "monitor": "demo-monitor-password"}
TOTP_SECRET = "NEZARATDEMOTOTPSECRETKEY"  # admins and coordinators are enrolled with it
# (email, name, role, organisation short name)
ACCOUNTS = [
    ("admin@demo.example", "Demo Admin", "admin", "ARRM"),
    ("coordinator@arrm.example", "Demo Coordinator ARRM", "coordinator", "ARRM"),
    ("monitor@arrm.example", "Demo Monitor ARRM", "monitor", "ARRM"),
    ("coordinator@bpw.example", "Demo Coordinator BPW", "coordinator", "BPW"),
    ("monitor@bpw.example", "Demo Monitor BPW", "monitor", "BPW"),
]
DEVICE_TOKEN = "nzd_demo-device-token-of-monitor-arrm-not-secret"
PARTNER_KEY = "nzp_demo-partner-key-of-hdp-not-secret"
PARTNER_ORGANISATION = "HDP"


def enabled() -> bool:
    return bool(current_app.config.get("DEMO_MODE") or current_app.config.get("DEMO_ACCOUNTS"))


def load_accounts(progress) -> None:
    if not enabled():
        click.echo("  demo accounts skipped (set DEMO_MODE=true or pass --with-accounts)")
        return
    actor = service.cli_principal()
    for email, name, role, org in progress(ACCOUNTS, "accounts"):
        user_id = demo_id("user", email)
        existing = db.session.get(User, user_id)
        if existing is not None:
            if role != "monitor" and existing.totp_secret != TOTP_SECRET:
                # sealed under another server key (SECRET_KEY or DATA_KEY changed since the
                # last load): the published demo secret again, under this server's key
                existing.totp_secret = TOTP_SECRET
                audit.record(db.session, "auth.totp_enrolled", actor, target_type="user",
                             target_id=user_id, details={"demo": True, "resealed": True})
                db.session.commit()
            continue
        user = service.create_user(actor, {
            "email": email, "name": name, "role": role, "organisation_id": demo_id("org", org),
            "password": PASSWORDS[role]}, demo=True, user_id=user_id)
        if role != "monitor":
            user.totp_secret, user.totp_enabled_at = TOTP_SECRET, user.created_at
            audit.record(db.session, "auth.totp_enrolled", actor, target_type="user",
                         target_id=user.id, details={"demo": True})
            db.session.commit()
    _load_secrets(actor)
    click.echo(f"  demo partner key ({PARTNER_ORGANISATION}, all scopes): {PARTNER_KEY}")
    click.echo(f"  demo device token (monitor@arrm.example): {DEVICE_TOKEN}")


def _load_secrets(actor) -> None:
    session = db.session
    if session.scalar(select(DeviceToken.id).where(DeviceToken.demo)) is None:
        credentials.create_device_token(actor, demo_id("user", "monitor@arrm.example"),
                                        "Demo phone", credentials.DEVICE_DAYS[1],
                                        raw=DEVICE_TOKEN, demo=True)
    if session.scalar(select(PartnerKey.id).where(PartnerKey.demo)) is None:
        credentials.create_partner_key(actor, demo_id("org", PARTNER_ORGANISATION),
                                       list(credentials.SCOPES), "Demo key",
                                       credentials.PARTNER_DAYS[1], raw=PARTNER_KEY, demo=True)


def clear(progress) -> None:
    session = db.session
    for table in progress(["device_tokens", "partner_keys", "users"], "accounts"):
        session.execute(text(f"DELETE FROM {table} WHERE demo"))
    session.commit()
