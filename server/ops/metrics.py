"""Prometheus metrics (filled in below)."""
from __future__ import annotations


def init_app(app) -> None:
    pass
