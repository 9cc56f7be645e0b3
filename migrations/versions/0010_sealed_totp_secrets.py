"""TOTP secrets are stored sealed (AES-256-GCM, server.core.sealing)

Revision ID: 0010
Revises: 0008

Until now `users.totp_secret` held the base32 seed in plain, so a copy of the database gave every
admin's and coordinator's second factor. This revision seals the existing seeds under the key
the app uses (DATA_KEY, else SECRET_KEY: `flask db upgrade` passes the app's; run on its own, the
same settings are read from the environment). Downgrading opens them again.
"""
from alembic import context, op
from sqlalchemy import text

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def _key() -> bytes:
    from server import config
    from server.core import sealing
    master = context.config.attributes.get("master_key") or sealing.master_key(config.load())
    return sealing.derive_key(master, sealing.TOTP_SECRET)


def _rewrite(change, wanted) -> None:
    connection = op.get_bind()
    rows = connection.execute(text(
        "SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")).all()
    rows = [(user_id, value) for user_id, value in rows if wanted(value)]
    if not rows:
        return
    key = _key()
    for user_id, value in rows:
        connection.execute(text("UPDATE users SET totp_secret = :v WHERE id = :id"),
                           {"v": change(value, key), "id": user_id})


def upgrade() -> None:
    from server.core import sealing
    _rewrite(lambda value, key: sealing.seal(value, key, sealing.TOTP_SECRET),
             lambda value: not sealing.is_sealed(value))


def downgrade() -> None:
    from server.core import sealing
    _rewrite(lambda value, key: sealing.unseal(value, key, sealing.TOTP_SECRET),
             sealing.is_sealed)
