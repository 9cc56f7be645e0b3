"""Time-based one-time passwords (RFC 6238, via pyotp) and one-time recovery codes."""
from __future__ import annotations

import hmac
import secrets
import time
import uuid
from datetime import datetime, timezone

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .models import RecoveryCode, User
from .tokens import digest

ISSUER = "Nezarat"
STEP_SECONDS = 30
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are typed from paper


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def current_step(now: float | None = None) -> int:
    return int((now if now is not None else time.time()) // STEP_SECONDS)


def matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step `code` belongs to (one step of clock drift either way), or None. A step
    at or before `last_step` was already used: refusing it stops replays."""
    code = "".join(ch for ch in str(code) if ch.isdigit())
    if not secret or len(code) != 6:  # no secret: unreadable under this server's key
        return None
    otp, now = pyotp.TOTP(secret), current_step()
    for step in (now - 1, now, now + 1):
        if (last_step is None or step > last_step) and \
                hmac.compare_digest(otp.generate_otp(step), code):
            return step
    return None


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned once, never stored."""
    clear_recovery_codes(session, user)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))  # ~79 bits
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
        session.add(RecoveryCode(id=uuid.uuid4(), user_id=user.id, code_hash=digest(raw)))
    session.flush()
    return codes


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    row = session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == digest(_normalise(code)),
        RecoveryCode.used_at.is_(None)).with_for_update())
    if row is None:
        return False
    row.used_at = datetime.now(timezone.utc)
    return True


def recovery_codes_left(session: Session, user_id: uuid.UUID) -> int:
    return len(session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))).all())


def clear_recovery_codes(session: Session, user: User) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
