"""flask commands. Each feature may add its own group through an `init_app` in INIT_MODULES."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .core import audit, schema, sealing
from .core.db import db
from .demo import YEARS as DEMO_YEARS

db_cli = AppGroup("db", help="Database schema (Alembic migrations in migrations/).")
demo_cli = AppGroup("demo", help="Demo data: real places plus synthetic records, flagged demo.")
audit_cli = AppGroup("audit", help="The tamper-evident audit log.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision):
    """Apply migrations up to REVISION (default: head)."""
    schema.upgrade(current_app.config["DATABASE_URL"], revision,
                   master_key=sealing.master_key(current_app.config))
    click.echo(f"schema at {revision}")


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision):
    """Undo migrations down to REVISION (default: one step)."""
    schema.downgrade(current_app.config["DATABASE_URL"], revision,
                     master_key=sealing.master_key(current_app.config))
    click.echo(f"schema at {revision}")


@db_cli.command("current")
def db_current():
    """Show the applied and the latest revision."""
    with db.engine.connect() as connection:
        current = schema.current_revisions(connection)
    heads = schema.head_revisions(current_app.config["DATABASE_URL"])
    click.echo(f"applied: {','.join(sorted(current)) or '(none)'}; latest: {','.join(heads)}")


@demo_cli.command("load")
@click.option("--with-accounts", is_flag=True,
              help="Add the demo accounts (documented passwords) even without DEMO_MODE=true.")
@click.option("--years", type=click.FloatRange(min=0), default=DEMO_YEARS, show_default=True,
              help="Years of synthetic visits and incidents (0: places and accounts only).")
def demo_load(with_accounts, years):
    """Load the demo data (idempotent: a second run adds nothing)."""
    from .demo import runner
    if with_accounts:
        current_app.config["DEMO_ACCOUNTS"] = True
    click.echo("Loading demo data")
    runner.load(years=years)
    click.echo("Demo data loaded.")


@demo_cli.command("clear")
def demo_clear():
    """Remove everything flagged demo."""
    from .demo import runner
    runner.clear()
    click.echo("Demo data removed.")


def _anchor(ctx, param, value):
    if value is None:
        return None
    seq, _, hash_ = value.partition(":")
    if not seq.isdigit() or len(hash_) != 64:
        raise click.BadParameter("use SEQ:HASH as printed by an earlier `flask audit verify`")
    return int(seq), hash_


@audit_cli.command("verify")
@click.option("--anchor", callback=_anchor, metavar="SEQ:HASH",
              help="A head printed by an earlier run, kept outside the database: it must still "
                   "be in the chain (catches a rewrite with recomputed hashes).")
def audit_verify(anchor):
    """Walk the hash chain; name the first entry that was altered, removed or inserted."""
    checked, problem = audit.verify(db.session, anchor=anchor)
    if problem:
        click.echo(f"AUDIT CHAIN BROKEN after {checked} good entries: {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"audit chain intact: {checked} entries verified")
    last = audit.head(db.session)
    if last:
        click.echo(f"head {last[0]}:{last[1]} (note it elsewhere; pass it as --anchor later)")


def init_app(app: Flask) -> None:
    for group in (db_cli, demo_cli, audit_cli):
        app.cli.add_command(group)
