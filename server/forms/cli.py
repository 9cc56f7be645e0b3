"""`flask forms build`: XLSForm sources in mobile_forms/ -> mobile_forms/build/*.xml and *.json."""
from __future__ import annotations

import hashlib

import click
from flask import Flask
from flask.cli import AppGroup

from . import build as builder

forms_cli = AppGroup("forms", help="The monitors' XForms (sources and build in mobile_forms/).")


@forms_cli.command("build")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when the committed build differs from the sources.")
@click.option("--skip-validate", is_flag=True, help="Do not run ODK Validate (it needs Java).")
def build_command(check: bool, skip_validate: bool) -> None:
    """Build every form with pyxform, check it with ODK Validate, write what changed."""
    try:
        forms = builder.build_all()
        for form in forms:
            for warning in form.warnings:
                click.echo(f"{form.form_id}: pyxform warning: {warning}", err=True)
            if not skip_validate:
                for warning in builder.validate(form.xml):
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
