"""flask map rebuild | compact: maintenance of the map's precomputed counts."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import text

from ..core.db import db

map_cli = AppGroup("map", help="The map's precomputed incident counts (migration 0005).")


@map_cli.command("compact")
def compact():
    """Fold waiting changes into the counts (also happens by itself every 1,000 changes)."""
    moved = db.session.execute(text("SELECT map_compact()")).scalar_one()
    db.session.commit()
    click.echo(f"folded {moved} changes")


@map_cli.command("rebuild")
def rebuild():
    """Recompute every count from the incidents table (after a restore or a bulk repair)."""
    counted = db.session.execute(text("SELECT map_rebuild()")).scalar_one()
    db.session.commit()
    click.echo(f"{counted} incidents counted")


def init_app(app: Flask) -> None:
    app.cli.add_command(map_cli)
