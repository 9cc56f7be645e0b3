"""Settings from environment variables, read only when an app is created."""
from __future__ import annotations

import os
import secrets

DEFAULT_DATABASE_URL = "postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/nezarat"

# name -> (parser, default). Every variable the app reads is listed here (docker-compose.yml is
# checked against this table by a test).
_int = int


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


SETTINGS: dict[str, tuple] = {
    "DATABASE_URL": (str, DEFAULT_DATABASE_URL),
    "SECRET_KEY": (str, None),
    "STORAGE_DIR": (str, "./var/storage"),
    "PORT": (_int, 5000),
    "BASE_URL": (str, ""),
    "TRUSTED_PROXIES": (_int, 0),
    "DB_POOL_SIZE": (_int, 10),
    "SESSION_COOKIE_SECURE": (_bool, False),
    "DEMO_MODE": (_bool, False),
    "TILE_URL": (str, ""),
    "TILE_ATTRIBUTION": (str, ""),
    "MAX_SUBMISSION_BYTES": (_int, 10_000_000),
    "MAX_PHOTO_PIXELS": (_int, 40_000_000),
    "FAR_FROM_FACILITY_M": (_int, 2000),
    "POOR_ACCURACY_M": (_int, 100),
    "LATE_SUBMISSION_HOURS": (_int, 72),
    "PHOTO_TIME_TOLERANCE_HOURS": (_int, 24),
    "STALE_AFTER_DAYS": (_int, 90),
    "DUPLICATE_DISTANCE_M": (_int, 5000),
    "DUPLICATE_DAYS": (_int, 3),
    "PARTNER_RATE_LIMIT_PER_MINUTE": (_int, 600),
    "LOG_LEVEL": (str, "INFO"),
    # Operations (server/ops): backups, metrics.
    "BACKUP_DIR": (str, "./var/backup"),
    "PGBACKREST_CONFIG": (str, "/etc/pgbackrest/nezarat.conf"),
    "PGBACKREST_STANZA": (str, "nezarat"),
    "BACKUP_MAX_AGE_HOURS": (_int, 26),
    "METRICS_TOKEN": (str, ""),
}


def load(overrides: dict | None = None, environ: dict | None = None) -> dict:
    """Settings for one app: environment first, then explicit overrides (tests, scripts)."""
    env = os.environ if environ is None else environ
    settings = {}
    for name, (parse, default) in SETTINGS.items():
        raw = env.get(name)
        settings[name] = parse(raw) if raw not in (None, "") else default
    settings.update(overrides or {})
    if not settings["SECRET_KEY"]:
        # A random key keeps a dev server safe; sessions just do not survive a restart.
        settings["SECRET_KEY"] = secrets.token_hex(32)
    # Relative to where the app was started, once: Flask's send_file would read a relative path
    # against the package folder instead.
    settings["STORAGE_DIR"] = os.path.abspath(settings["STORAGE_DIR"])
    settings["BACKUP_DIR"] = os.path.abspath(settings["BACKUP_DIR"])
    if settings["DATABASE_URL"].startswith("postgresql://"):
        settings["DATABASE_URL"] = settings["DATABASE_URL"].replace(
            "postgresql://", "postgresql+psycopg://", 1)
    return settings
