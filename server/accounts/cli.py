"""flask commands for accounts: the first admin, users, organisations, device tokens and partner
keys. Secrets are printed once; every change is audited with actor kind `cli`."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask import Flask
from flask.cli import AppGroup

from ..core.errors import AppError
from ..core.urls import absolute
from . import credentials, odk, qr, queries, service, signin
from .models import ROLES

user_cli = AppGroup("user", help="User accounts.")
org_cli = AppGroup("org", help="Organisations (coalition members and partner agencies).")
device_cli = AppGroup("device-token", help="Device tokens for monitors' phones (ODK Collect).")
partner_cli = AppGroup("partner-key", help="API keys of partner organisations.")
sessions_cli = AppGroup("sessions", help="Browser sessions.")


def _run(action):
    """Domain errors end the command with their message, not a traceback."""
    try:
        return action()
    except AppError as exc:
        raise click.ClickException(exc.detail)


def _reset_link(user_id) -> str:
    return absolute(f"/reset/{signin.issue_reset_link(service.cli_principal(), user_id)}")


def _organisation_for_admins(name: str):
    try:
        return service.find_organisation(name)
    except AppError:
        click.echo(f"Creating the organisation {name!r}.")
        return service.create_organisation(service.cli_principal(), {"name": name})


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", default="Administrator", show_default=True)
@click.option("--org", "org_name", default="Deployment administrators", show_default=True,
              help="Organisation (created when missing).")
@click.option("--link", is_flag=True, help="Print a one-time set-password link instead of "
                                           "asking for a password.")
def create_admin(email, name, org_name, link):
    """Create an admin. Two-factor sign-in is set up at the first sign-in."""
    def act():
        organisation = _organisation_for_admins(org_name)
        password = None if link else click.prompt("Password (12 characters or more)",
                                                  hide_input=True, confirmation_prompt=True)
        user = service.create_user(service.cli_principal(), {
            "email": email, "name": name, "role": "admin", "organisation_id": organisation.id,
            "password": password})
        click.echo(f"Admin {user.email} created.")
        if link:
            click.echo(f"Set the password (one-time link): {_reset_link(user.id)}")
    _run(act)


@user_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--org", "org_name", required=True, help="Organisation name or short name")
def user_create(email, name, role, org_name):
    """Create a user and print their one-time set-password link."""
    def act():
        organisation = service.find_organisation(org_name)
        user = service.create_user(service.cli_principal(), {
            "email": email, "name": name, "role": role, "organisation_id": organisation.id})
        click.echo(f"User {user.email} ({role}) created.")
        click.echo(f"Set the password (one-time link): {_reset_link(user.id)}")
    _run(act)


@user_cli.command("list")
@click.option("--org", "org_name", default=None)
def user_list(org_name):
    """List users (email, role, organisation, state)."""
    def act():
        org_id = service.find_organisation(org_name).id if org_name else None
        rows, _ = queries.users(organisation_id=org_id, limit=10_000)
        for user in rows:
            state = "active" if user.active else "deactivated"
            two_factor = "2FA" if user.two_factor_enabled else "no 2FA"
            click.echo(f"{user.email:<40} {user.role:<12} {user.organisation.name:<40} "
                       f"{state}, {two_factor}")
    _run(act)


@user_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def user_set_role(email, role):
    """Change a user's role."""
    _run(lambda: service.update_user(service.cli_principal(), service.find_user(email).id,
                                     {"role": role}))
    click.echo(f"{email} is now {role}.")


@user_cli.command("deactivate")
@click.argument("email")
def user_deactivate(email):
    """Deactivate a user (signs them out; their device tokens stop working)."""
    _run(lambda: service.update_user(service.cli_principal(), service.find_user(email).id,
                                     {"active": False}))
    click.echo(f"{email} deactivated.")


@user_cli.command("activate")
@click.argument("email")
def user_activate(email):
    """Reactivate a user."""
    _run(lambda: service.update_user(service.cli_principal(), service.find_user(email).id,
                                     {"active": True}))
    click.echo(f"{email} activated.")


@user_cli.command("reset-link")
@click.argument("email")
def user_reset_link(email):
    """Print a one-time link for the user to set a new password."""
    link = _run(lambda: _reset_link(service.find_user(email).id))
    click.echo(f"One-time link (valid {signin.RESET_HOURS} hours): {link}")


@user_cli.command("reset-2fa")
@click.argument("email")
def user_reset_two_factor(email):
    """Turn off a user's two-factor sign-in (lost phone); they enrol again when signing in."""
    _run(lambda: signin.reset_two_factor(service.cli_principal(), service.find_user(email).id))
    click.echo(f"Two-factor sign-in of {email} reset.")


@org_cli.command("create")
@click.argument("name")
@click.option("--short-name", default=None)
@click.option("--kind", type=click.Choice(["coalition_member", "partner"]),
              default="coalition_member", show_default=True)
@click.option("--country", default=None, help="ISO 3166-1 alpha-3, e.g. AFG")
def org_create(name, short_name, kind, country):
    """Create an organisation."""
    organisation = _run(lambda: service.create_organisation(service.cli_principal(), {
        "name": name, "short_name": short_name, "kind": kind, "country": country}))
    click.echo(f"Organisation {organisation.name} ({kind}) created: {organisation.id}")


@org_cli.command("list")
def org_list():
    """List organisations."""
    rows, _ = queries.organisations(limit=10_000)
    for organisation in rows:
        click.echo(f"{organisation.name:<50} {organisation.short_name or '':<10} "
                   f"{organisation.kind:<17} {organisation.id}")


@device_cli.command("create")
@click.option("--user", "email", required=True, help="The monitor's email")
@click.option("--label", required=True, help="Which phone, e.g. 'Torkham team phone 2'")
@click.option("--days", type=int, default=credentials.DEVICE_DAYS[0], show_default=True)
@click.option("--qr", "show_qr", is_flag=True, help="Also draw the ODK Collect QR code")
def device_create(email, label, days, show_qr):
    """Create a device token for a monitor; print it once with its ODK Collect settings."""
    def act():
        monitor = service.find_user(email)
        token, raw = credentials.create_device_token(service.cli_principal(), monitor.id, label,
                                                     days)
        settings = odk.encode(odk.collect_settings(raw))
        click.echo(f"Device token for {monitor.email} (expires {token.expires_at:%Y-%m-%d}), "
                   "shown once:")
        click.echo(f"  token:       {raw}")
        click.echo(f"  server URL:  {odk.server_url(raw)}")
        click.echo(f"  ODK Collect settings (QR payload): {settings}")
        if show_qr:
            click.echo(qr.terminal_text(settings))
    _run(act)


@device_cli.command("list")
@click.option("--user", "email", default=None)
def device_list(email):
    """List device tokens."""
    def act():
        user_id = service.find_user(email).id if email else None
        rows, _ = queries.device_tokens(service.cli_principal(), user_id=user_id, limit=10_000)
        for token in rows:
            _echo_credential(token, token.user.email)
    _run(act)


@device_cli.command("revoke")
@click.argument("token_id", type=click.UUID)
def device_revoke(token_id):
    """Revoke a device token by its id."""
    _run(lambda: credentials.revoke_device_token(service.cli_principal(), token_id))
    click.echo(f"Device token {token_id} revoked.")


@partner_cli.command("create")
@click.option("--org", "org_name", required=True, help="Partner organisation name or short name")
@click.option("--scopes", required=True, help=f"Comma-separated: {', '.join(credentials.SCOPES)}")
@click.option("--label", default="API key", show_default=True)
@click.option("--days", type=int, default=credentials.PARTNER_DAYS[0], show_default=True)
def partner_create(org_name, scopes, label, days):
    """Create a partner API key and print it once."""
    def act():
        organisation = service.find_organisation(org_name)
        key, raw = credentials.create_partner_key(
            service.cli_principal(), organisation.id, sorted(_scopes(scopes)), label, days)
        click.echo(f"Partner key for {organisation.name} ({', '.join(key.scopes)}; expires "
                   f"{key.expires_at:%Y-%m-%d}), shown once:")
        click.echo(raw)
    _run(act)


@partner_cli.command("list")
def partner_list():
    """List partner keys."""
    rows, _ = queries.partner_keys(limit=10_000)
    for key in rows:
        _echo_credential(key, f"{key.organisation.name} [{' '.join(key.scopes)}]")


@partner_cli.command("revoke")
@click.argument("key_id", type=click.UUID)
def partner_revoke(key_id):
    """Revoke a partner key by its id."""
    _run(lambda: credentials.revoke_partner_key(service.cli_principal(), key_id))
    click.echo(f"Partner key {key_id} revoked.")


def _scopes(text: str) -> set[str]:
    return {s.strip() for s in text.replace(" ", ",").split(",") if s.strip()}


def _echo_credential(credential, owner: str) -> None:
    used = f"{credential.last_used_at:%Y-%m-%d %H:%M}" if credential.last_used_at else "never"
    status = credential.status(datetime.now(timezone.utc))
    click.echo(f"{credential.id}  {credential.hint:<10} {status:<8} {credential.label[:30]:<30} "
               f"{owner}  last used {used}")


@sessions_cli.command("purge")
def purge_sessions():
    """Delete expired browser sessions (run it from cron or a timer, e.g. hourly; each process
    also purges a batch now and then)."""
    from ..core.db import db
    from . import sessions
    removed = sessions.purge_expired(db.session, limit=None)
    db.session.commit()
    click.echo(f"{removed} expired browser sessions removed.")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin)
    for group in (user_cli, org_cli, device_cli, partner_cli, sessions_cli):
        app.cli.add_command(group)
