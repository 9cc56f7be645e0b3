"""Failed sign-ins slow down further attempts, per account and per address.

After a few free failures each further failure blocks the key for a growing time (doubling up to
a cap). The account key is made from the email as typed, whether or not such an account exists,
so the answers never reveal which addresses have accounts. Failures are forgotten an hour after
the last one; a successful sign-in clears its account key (not the address key, which a
guesser holding one valid account could otherwise reset).
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from .models import SignInThrottle
from .tokens import digest

FREE_FAILURES = {"account": 3, "address": 20}
FIRST_DELAY = timedelta(seconds=5)
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)


def account_key(email: str) -> str:
    return digest("account:" + email.strip().lower())


def address_key(address: str | None) -> str:
    return digest("address:" + (address or "unknown"))


def keys_for(email: str, address: str | None) -> dict[str, str]:
    return {"account": account_key(email), "address": address_key(address)}


def retry_after(session: Session, keys: dict[str, str]) -> int:
    """Seconds until an attempt is allowed again (0: now)."""
    now = datetime.now(timezone.utc)
    until = session.scalars(select(SignInThrottle.blocked_until).where(
        SignInThrottle.key.in_(keys.values()), SignInThrottle.blocked_until > now)).all()
    return math.ceil(max((u - now).total_seconds() for u in until)) if until else 0


def delay_after(kind: str, failures: int) -> timedelta | None:
    extra = failures - FREE_FAILURES[kind]
    if extra <= 0:
        return None
    return min(FIRST_DELAY * (2 ** min(extra - 1, 20)), MAX_DELAY)


def record_failure(session: Session, keys: dict[str, str]) -> None:
    for kind, key in keys.items():
        failures = session.execute(text("""
            INSERT INTO sign_in_throttle AS t (key, failures, last_failure_at)
            VALUES (:key, 1, clock_timestamp())
            ON CONFLICT (key) DO UPDATE SET
                failures = CASE WHEN t.last_failure_at
                                     < clock_timestamp() - make_interval(secs => :forget)
                                THEN 1 ELSE t.failures + 1 END,
                last_failure_at = clock_timestamp()
            RETURNING failures"""), {"key": key, "forget": FORGET_AFTER.total_seconds()}).scalar()
        delay = delay_after(kind, failures)
        if delay is not None:
            session.execute(text("UPDATE sign_in_throttle SET blocked_until = clock_timestamp()"
                                 " + make_interval(secs => :secs) WHERE key = :key"),
                            {"key": key, "secs": delay.total_seconds()})


def clear(session: Session, key: str) -> None:
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))
