"""`flask forms build`: XLSForm sources in mobile_forms/ -> mobile_forms/build/*.xml and *.json."""
from __future__ import annotations

import hashlib

import click
from flask import Flask
from flask.cli import AppGroup

from ..core.db import db
from . import build as builder
from . import encryption, keys

forms_cli = AppGroup("forms", help="The monitors' XForms (sources and build in mobile_forms/).")


@forms_cli.command("build")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when the committed build differs from the sources.")
@click.option("--skip-validate", is_flag=True, help="Do not run ODK Validate (it needs Java).")
def build_command(check: bool, skip_validate: bool) -> None:
    """Build every form with pyxform, check it with ODK Validate and for the phone app (a form
    the app cannot run exactly as Collect gets no JSON for the app), write what changed."""
    try:
        forms = builder.build_all()
        for form in forms:
            for warning in form.warnings:
                click.echo(f"{form.form_id}: pyxform warning: {warning}", err=True)
            if form.app_refusals:
                click.echo(f"{form.form_id}: refused for the phone app (built for ODK Collect "
                           f"only): {'; '.join(form.app_refusals)}", err=True)
            if not skip_validate:
                for warning in builder.validate(_as_served(form)):
                    click.echo(f"{form.form_id}: ODK Validate warning: {warning}", err=True)
    except builder.FormInvalid as exc:
        raise click.ClickException(str(exc))
    if check:
        _check(forms)
        return
    for form in forms:
        written = builder.write(form)
        state = ", ".join(p.name for p in written) + " written" if written else "up to date"
        click.echo(f"{form.form_id}: {state} (xml md5 {_md5(form.xml)})")


def _as_served(form: builder.BuiltForm) -> str:
    """What ODK Validate checks: the form as Collect gets it, with a public key when the form
    is encrypted (a throwaway key here: each deployment adds its own when serving)."""
    if encryption.mode(form.form_id) is None:
        return form.xml
    public_b64, _, _ = keys.generate()
    return builder.with_public_key(form.xml.encode("utf-8"), public_b64).decode("utf-8")


@forms_cli.command("keys")
@click.option("--rotate", "rotate", metavar="FORM_ID",
              help="Make a new key for FORM_ID (the old one is kept for reports made with it).")
def keys_command(rotate: str | None) -> None:
    """The server's keys of the encrypted forms: fingerprints, and rotation."""
    session = db.session
    if rotate:
        if encryption.mode(rotate) != encryption.SERVER:
            raise click.ClickException(f"{rotate} is not a form the server decrypts "
                                       f"(server/forms/encryption.py).")
        public_b64 = keys.rotate(session, rotate)
        click.echo(f"{rotate}: new key {keys.fingerprint(public_b64)}; ODK Collect gets it "
                   "with the form the next time it fetches blank forms.")
    for form_id in sorted(f for f, m in encryption.ENCRYPTION.items() if m == encryption.SERVER):
        keys.public_key(session, form_id)  # made now if the form has none yet
    for row in keys.listing(session):
        state = f"retired {row.retired_at:%Y-%m-%d}" if row.retired_at else "current"
        click.echo(f"{row.form_id}  sha256:{row.fingerprint}  made {row.created_at:%Y-%m-%d}"
                   f"  {state}")


def _check(forms: list[builder.BuiltForm]) -> None:
    stale = [f"{name}" for form in forms for name in builder.stale(form)]
    if stale:
        raise click.ClickException(
            f"mobile_forms/build is out of date ({', '.join(stale)}): run `flask forms build`.")
    click.echo("mobile_forms/build is up to date.")


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def init_app(app: Flask) -> None:
    app.cli.add_command(forms_cli)
