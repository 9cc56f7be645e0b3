"""Operations: backups (pgBackRest + the photo store), the restore drill, health, metrics
and the JSON logs with request ids."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import cli, logs, metrics
    logs.init_app(app)
    cli.init_app(app)
    metrics.init_app(app)
