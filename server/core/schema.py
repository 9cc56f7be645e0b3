"""Alembic, driven from Python: the migrations in migrations/ are the only way the schema
changes."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head", master_key: str | None = None) -> None:
    """`master_key`: the app's DATA_KEY or SECRET_KEY, for migrations that seal data (0010)."""
    command.upgrade(_with_key(alembic_config(url), master_key), revision)


def downgrade(url: str, revision: str = "base", master_key: str | None = None) -> None:
    command.downgrade(_with_key(alembic_config(url), master_key), revision)


def _with_key(cfg: Config, master_key: str | None) -> Config:
    if master_key:
        cfg.attributes["master_key"] = master_key
    return cfg


def head_revisions(url: str) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(url)).get_heads())


@cache
def code_heads() -> frozenset[str]:
    """The heads of the migrations this code ships with, read once a process: /readyz and
    /healthz are public, and reading every migration file per request (~15 ms of CPU) would
    hand anyone a cheap way to keep the server busy."""
    return frozenset(ScriptDirectory.from_config(alembic_config("postgresql://")).get_heads())


def current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())
