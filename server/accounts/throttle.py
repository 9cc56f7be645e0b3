"""Failed sign-in steps slow down further attempts: per account (the password), per account's
second factor, and per address.

After a few free failures each further failure blocks the key for a growing time (doubling up to
a cap). The account key is made from the email as typed, whether or not such an account exists,
so the answers never reveal which addresses have accounts. Failures are forgotten an hour after
the last one. Password and second-factor failures are counted apart: a correct password clears
only the password count, so it cannot be used to reset the count of guessed codes, which only a
good code clears. The address key is never cleared (a guesser holding one valid account could
otherwise reset it).

An attempt is counted *before* it is evaluated, in one statement per key that also sets the
block the attempt would earn if it failed, and committed at once: concurrent attempts each get
their own number, so five sent at the same moment are limited exactly like five in a row. A
successful attempt then takes its count (and the block it set) back.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from ..core.db import side_transaction
from .models import SignInThrottle
from .tokens import digest

FREE_FAILURES = {"account": 3, "second_factor": 3, "address": 20}
FIRST_DELAY = timedelta(seconds=5)
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)
CLEARED_BY_SUCCESS = ("account", "second_factor")


def account_key(email: str) -> str:
    return digest("account:" + email.strip().lower())


def second_factor_key(user_id) -> str:
    return digest(f"second_factor:{user_id}")


def address_key(address: str | None) -> str:
    return digest("address:" + (address or "unknown"))


def keys_for(email: str, address: str | None) -> dict[str, str]:
    """Keys of a password attempt. The address comes first: a refused attempt stops there,
    before it counts against the account."""
    return {"address": address_key(address), "account": account_key(email)}


def second_factor_keys(user_id, address: str | None) -> dict[str, str]:
    return {"address": address_key(address), "second_factor": second_factor_key(user_id)}


def delay_after(kind: str, failures: int) -> timedelta | None:
    extra = failures - FREE_FAILURES[kind]
    if extra <= 0:
        return None
    return min(FIRST_DELAY * (2 ** min(extra - 1, 20)), MAX_DELAY)


_NEW_COUNT = ("CASE WHEN t.last_failure_at < clock_timestamp() - make_interval(secs => :forget) "
              "THEN 1 ELSE t.failures + 1 END")
_COUNT = text(f"""
    INSERT INTO sign_in_throttle AS t (key, failures, last_failure_at, blocked_until)
    VALUES (:key, 1, clock_timestamp(), CASE WHEN :free < 1 THEN clock_timestamp()
            + make_interval(secs => :first) END)
    ON CONFLICT (key) DO UPDATE SET
        failures = {_NEW_COUNT},
        last_failure_at = clock_timestamp(),
        blocked_until = CASE WHEN {_NEW_COUNT} > :free THEN clock_timestamp() + make_interval(
            secs => LEAST(:first * power(2, LEAST({_NEW_COUNT} - :free - 1, 20)), :max)) END
    WHERE t.blocked_until IS NULL OR t.blocked_until <= clock_timestamp()
    RETURNING failures, blocked_until""")


@dataclass
class Attempt:
    """An attempt counted in advance: `wait` > 0 when it was refused (throttled)."""
    keys: dict[str, str]
    wait: int = 0
    blocks: dict[str, datetime | None] = field(default_factory=dict)  # what this attempt set


def count_attempt(keys: dict[str, str]) -> Attempt:
    """Count one attempt on every key, committed before the attempt is evaluated."""
    attempt = Attempt(keys)
    with side_transaction() as session:
        for kind, key in keys.items():
            row = session.execute(_COUNT, {
                "key": key, "free": FREE_FAILURES[kind], "forget": FORGET_AFTER.total_seconds(),
                "first": FIRST_DELAY.total_seconds(), "max": MAX_DELAY.total_seconds()}).first()
            if row is None:  # blocked: this attempt is refused and counts no further
                attempt.wait = _seconds_left(session, key)
                break
            attempt.blocks[kind] = row.blocked_until
    return attempt


def _seconds_left(session: Session, key: str) -> int:
    until = session.execute(text("SELECT blocked_until FROM sign_in_throttle WHERE key = :key"),
                            {"key": key}).scalar()
    now = datetime.now(timezone.utc)
    return max(1, math.ceil((until - now).total_seconds())) if until else 1


def succeeded(session: Session, attempt: Attempt) -> None:
    """The attempt was good: clear its account or second-factor count; on the address, take
    back its own count and the block it set in advance (not one set by another attempt)."""
    for kind, key in attempt.keys.items():
        if kind in CLEARED_BY_SUCCESS:
            session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))
        else:
            session.execute(text("""
                UPDATE sign_in_throttle SET failures = GREATEST(failures - 1, 0),
                    blocked_until = CASE WHEN blocked_until = :mine THEN NULL
                                         ELSE blocked_until END
                WHERE key = :key"""), {"key": key, "mine": attempt.blocks.get(kind)})
