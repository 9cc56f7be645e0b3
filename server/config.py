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
    "DATA_KEY": (str, ""),
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
    # Alerts by email (server/alerts/mail.py); no SMTP_HOST: in-app notifications only.
    "SMTP_HOST": (str, ""),
    "SMTP_PORT": (_int, 587),
    "SMTP_SECURITY": (str, "starttls"),
    "SMTP_USERNAME": (str, ""),
    "SMTP_PASSWORD": (str, ""),
    "SMTP_FROM": (str, "nezarat@localhost"),
    # The mobile app's face (server/mobile/face.py): its installed name, icon set and unlock
    # screen. A neutral face ("calculator") names the project nowhere the phone shows.
    "MOBILE_APP_NAME": (str, "Nezarat"),
    "MOBILE_APP_ICON": (str, "nezarat"),
    "MOBILE_APP_FACE": (str, "nezarat"),
    # Drafts on the phone: flagged after this many days untouched, erased after the second.
    "MOBILE_DRAFT_FLAG_DAYS": (_int, 7),
    "MOBILE_DRAFT_ERASE_DAYS": (_int, 30),
}


def kept_secret_key(storage_dir: str) -> str:
    """Without SECRET_KEY (a dev server): a random key made once and kept in the storage folder
    (mode 0600), so every worker process and every restart agrees on it: signed cookies and
    cursors, and the TOTP secrets sealed under it, stay readable. Deployments set SECRET_KEY."""
    path = os.path.join(storage_dir, ".secret_key")
    try:
        os.makedirs(storage_dir, exist_ok=True)
        if not os.path.exists(path):
            tmp = f"{path}.{os.getpid()}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
            try:
                os.link(tmp, path)  # atomic: the first process to get here wins
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        with open(path) as kept:
            key = kept.read().strip()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    # Nowhere to keep it: a key for this process only (sessions end on restart).
    return secrets.token_hex(32)


def load(overrides: dict | None = None, environ: dict | None = None) -> dict:
    """Settings for one app: environment first, then explicit overrides (tests, scripts)."""
    env = os.environ if environ is None else environ
    settings = {}
    for name, (parse, default) in SETTINGS.items():
        raw = env.get(name)
        settings[name] = parse(raw) if raw not in (None, "") else default
    settings.update(overrides or {})
    # Relative to where the app was started, once: Flask's send_file would read a relative path
    # against the package folder instead.
    settings["STORAGE_DIR"] = os.path.abspath(settings["STORAGE_DIR"])
    settings["BACKUP_DIR"] = os.path.abspath(settings["BACKUP_DIR"])
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = kept_secret_key(settings["STORAGE_DIR"])
    if settings["DATABASE_URL"].startswith("postgresql://"):
        settings["DATABASE_URL"] = settings["DATABASE_URL"].replace(
            "postgresql://", "postgresql+psycopg://", 1)
    return settings
