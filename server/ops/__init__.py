"""Operations: backups (pgBackRest + the photo store), the restore drill, health and metrics."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import cli, metrics
    cli.init_app(app)
    metrics.init_app(app)
