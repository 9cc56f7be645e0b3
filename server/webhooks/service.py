"""Registering webhooks, collecting a partner's feed changes into its ordered outbox, and
delivering them.

Collection is the feed itself: `partner.queries.changes()` under the partner's `policy.Shared`
since the hook's last pass (so an upsert or a tombstone is exactly what the feed would hand out,
and the delivery ledger records it, through the same statements). Each change becomes one
delivery with an idempotency id. Deliveries go out in order, the waiting ones together as one
signed batch per POST (a JSON array, at most BATCH of them and BATCH_BYTES; one batch at a
time: the job holds the hook's lock), so a hook's throughput is not one round trip per change.
A batch refused is sent again as it was, with exponential backoff and jitter; each delivery is
retried so for 24 hours from its first attempt, then dead-lettered (shown in the log) so that
the next can go. A 410 disables the hook.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import random
import secrets
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy.orm import Session

from ..accounts import credentials
from ..accounts.models import Organisation
from ..core import audit, egress, sealing
from ..core.access import Principal
from ..core.db import db
from ..core.errors import NotFound, ValidationFailed
from ..jobs.enqueue import LAST_STEP, defer
from ..partner import feed, queries
from ..partner import policy as policy_module
from ..partner.policy import Filters, Shared
from . import signing, store

NS = uuid.UUID("5b0e1d4e-8f43-4a44-b5e5-0f3b7c1d2a90")
PURPOSE = "webhook-secret"
TIMEOUT = 10.0  # seconds for one POST, connection to last byte
RETRY_FOR = timedelta(hours=24)
FIRST_WAIT, MAX_WAIT = 10.0, 3600.0  # seconds: 10 s, 20 s, 40 s ... at most an hour
PAGE = 500
BATCH, BATCH_BYTES = 100, 1_000_000  # at most per POST: deliveries, bytes of their payloads
FEED_SCOPE = "incidents:read"  # what a partner key needs to read the feed, and to get hooks


def backoff(attempts: int) -> timedelta:
    """Exponential, capped, with full jitter around it (0.5x to 1.5x)."""
    base = min(FIRST_WAIT * 2 ** max(attempts - 1, 0), MAX_WAIT)
    return timedelta(seconds=base * random.uniform(0.5, 1.5))


# --- registration --------------------------------------------------------------------------------

def _testing() -> bool:
    """May hooks reach a receiver on 127.0.0.1? In the tests, and in bench/alerts.py, which
    creates its app with BENCH_LOOPBACK_WEBHOOKS (a setting no environment variable sets)."""
    return bool(current_app.config.get("TESTING")
                or current_app.config.get("BENCH_LOOPBACK_WEBHOOKS"))


def _check_url(url: str) -> str:
    parts = urlsplit(url or "")
    local_test = _testing() and parts.scheme == "http" and parts.hostname == "127.0.0.1"
    if not (parts.scheme == "https" and parts.hostname) and not local_test:
        raise ValidationFailed.field("url", "An https:// URL.")
    if parts.username or parts.password or len(url) > 2000:
        raise ValidationFailed.field("url", "No credentials in the URL; at most 2000 characters.")
    problem = egress.host_problem(parts.hostname, testing=_testing())
    if problem:  # checked again, on the resolved address, at every delivery (core.egress)
        raise ValidationFailed.field("url", problem)
    return url


def _partner(organisation_id) -> None:
    org = db.session.get(Organisation, organisation_id)
    if org is None or org.kind != "partner":
        raise ValidationFailed.field("organisation_id",
                                     f"No partner organisation {organisation_id}.")


def register(principal: Principal, organisation_id, url: str) -> dict:
    """A new hook; its secret is shown this once (stored sealed). It starts from now: what was
    shareable before, the partner has from the feed."""
    session = db.session
    _partner(organisation_id)
    url, secret = _check_url(url), "whsec_" + secrets.token_urlsafe(32)
    sealed = sealing.seal(secret, sealing.app_key(PURPOSE), PURPOSE)
    hook_id = store.add(session, organisation_id, url, sealed, feed.sync_point(session),
                        principal.kind)
    audit.record_and_commit(session, "webhook.register", principal, target_type="webhook",
                            target_id=hook_id, details={"organisation_id": str(organisation_id),
                                                        "host": urlsplit(url).hostname})
    return {**out(store.get(session, hook_id)), "secret": secret}


def out(row) -> dict:
    return {"id": str(row.id), "organisation_id": str(row.organisation_id), "url": row.url,
            "status": row.status, "disabled_reason": row.disabled_reason,
            "created_at": row.created_at.isoformat()}


def hooks(organisation_id, *, after=None, limit: int = 100) -> list:
    """The organisation's hooks (rows for `out`), oldest first, after a page's last
    (created_at, id)."""
    return store.of_organisation(db.session, organisation_id, after=after, limit=limit)


def _own(principal: Principal, hook_id):
    row = store.get(db.session, hook_id)
    if row is None or (principal.kind == "partner" and
                       row.organisation_id != principal.organisation_id):
        raise NotFound(f"No webhook {hook_id}.")
    return row


def remove(principal: Principal, hook_id) -> None:
    _own(principal, hook_id)
    store.remove(db.session, hook_id)
    audit.record_and_commit(db.session, "webhook.remove", principal, target_type="webhook",
                            target_id=hook_id)


def deliveries(principal: Principal, hook_id, after: tuple | None, limit: int) -> list[dict]:
    """The hook's log, newest first, after a page's last (seq,)."""
    _own(principal, hook_id)
    return [{**r._asdict(), "idempotency_id": str(r.idempotency_id),
             "incident_id": str(r.incident_id)}
            for r in store.log(db.session, hook_id, before=after[0] if after else None,
                               limit=limit)]


# --- collection --------------------------------------------------------------------------------

def _sync_hint(asof: datetime) -> dict:
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    return {"feed": f"{base}/api/partner/v1/incidents",
            "updated_since": asof.astimezone(timezone.utc).isoformat(),
            "note": "The feed is the source of truth: after a gap, sync from it."}


def collect(session: Session, hook_id) -> int:
    """The feed's changes since the hook's last pass, into its outbox; commits."""
    hook = store.get(session, hook_id, lock=True)
    if hook is None or hook.status != "active" or not _agreed(session, hook):
        session.rollback()
        return 0
    policy = policy_module.load(session, hook.organisation_id)
    asof = feed.sync_point(session)
    shared, after, made = Shared(policy, asof), None, 0
    while True:
        page = queries.changes(session, shared, Filters(), hook.synced_asof, after, PAGE)
        rows = [_delivery(hook.id, f, policy.version, asof)
                for f in json.loads("[" + page.features + "]")]
        made += store.add_deliveries(session, rows)
        if page.last is None:
            break
        after = page.last
    store.synced(session, hook.id, asof)
    if made:
        defer(session, "webhooks.deliver", {"hook_id": str(hook.id)}, queue="webhooks",
              lock=f"webhook:{hook.id}", queueing_lock=f"webhook:{hook.id}", priority=LAST_STEP)
    session.commit()
    return made


def _agreed(session: Session, hook) -> bool:
    """A hook serves its organisation only while it holds a key that may read the feed: a
    revoked or expired agreement stops the webhooks too (nothing collected, nothing sent)."""
    return credentials.organisation_may_read(session, hook.organisation_id, FEED_SCOPE)


def _delivery(hook_id, feature: dict, policy_version: int, asof: datetime) -> dict:
    deleted = (feature.get("properties") or {}).get("deleted") is True
    canonical = json.dumps(feature, sort_keys=True, separators=(",", ":"))
    mark = f"deleted/{asof.isoformat()}" if deleted else hashlib.sha256(
        canonical.encode()).hexdigest()
    idempotency_id = uuid.uuid5(NS, f"{hook_id}/{feature['id']}/{mark}")
    event = "incident.tombstone" if deleted else "incident.upsert"
    payload = {"id": str(idempotency_id), "event": event, "incident_id": feature["id"],
               "feature": feature, "policy_version": policy_version, "sync": _sync_hint(asof)}
    return {"webhook_id": hook_id, "idempotency_id": idempotency_id, "event": event,
            "incident_id": feature["id"], "payload": json.dumps(payload, separators=(",", ":"))}


# --- delivery ------------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer like any other (a failure): never followed


def batch_id(idempotency_ids: list[str]) -> str:
    """A batch's own id (its `Idempotency-Key`): the same for the same deliveries."""
    return str(uuid.uuid5(NS, "batch/" + ",".join(idempotency_ids)))


def body_of(payloads: list[str]) -> bytes:
    """The POST's body: a JSON array of the deliveries' payloads, in order."""
    return ("[" + ",".join(payloads) + "]").encode()


def post(url: str, secret: str, key: str, body: bytes, count: int = 1
         ) -> tuple[int | None, str | None]:
    """(HTTP status, error) of one POST (a batch of `count` deliveries, its id `key`)."""
    timestamp = int(time.time())
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "Nezarat-Webhooks/2",
        "X-Nezarat-Timestamp": str(timestamp), "Idempotency-Key": key,
        "X-Nezarat-Delivery": key, "X-Nezarat-Count": str(count),
        "X-Nezarat-Signature": signing.signature(secret, timestamp, body)})
    deadline = time.monotonic() + TIMEOUT  # one deadline for the POST, not one per read
    guarded = egress.opener(_NoRedirect, testing=_testing(), deadline=deadline)
    try:
        with guarded.open(request, timeout=TIMEOUT) as response:
            if time.monotonic() >= deadline:  # cut short: what was read is not an answer
                return None, f"TimeoutError: no complete answer within {TIMEOUT:g} s"
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        # HTTPException: not HTTP, too many or too long header lines, a reply cut short
        if time.monotonic() >= deadline:
            return None, f"TimeoutError: no complete answer within {TIMEOUT:g} s"
        return None, type(exc).__name__ + ": " + str(getattr(exc, "reason", exc))[:200]
    finally:
        for cut in guarded.cuts:
            cut.cancel()


def deliver(session: Session, hook_id) -> str:
    """Deliver the hook's outbox in order, a batch per POST, until it is empty, a batch must
    wait (then the job is deferred to its time) or the hook is disabled. Each outcome is
    committed before the next POST: a worker killed mid-POST sends those deliveries again (the
    same idempotency ids)."""
    while True:
        hook = store.get(session, hook_id)
        if hook is None or hook.status != "active" or not _agreed(session, hook):
            session.rollback()
            return "inactive"
        items = store.batch(session, hook_id, limit=BATCH, max_bytes=BATCH_BYTES)
        if not items:
            session.commit()
            return "empty"
        now = datetime.now(timezone.utc)
        if items[0].next_attempt_at > now:
            _again(session, hook_id, items[0].next_attempt_at)
            session.commit()
            return "waiting"
        secret = sealing.unseal(hook.secret, sealing.app_key(PURPOSE), PURPOSE)
        ids = [str(item.idempotency_id) for item in items]
        status, error = post(hook.url, secret, batch_id(ids),
                             body_of([item.payload for item in items]), len(items))
        seqs = [item.seq for item in items]
        if status is not None and 200 <= status < 300:
            store.attempted(session, seqs, status="delivered", http_status=status,
                            error=None, next_at=None)
        elif status == 410:
            store.attempted(session, seqs, status="pending", http_status=status,
                            error=error, next_at=None)
            store.disable(session, hook_id, "The receiver answered 410 Gone.")
            session.commit()
            return "disabled"
        else:
            # each delivery is retried for a day from its own first attempt, then dead-lettered
            dead = [i for i in items if now - (i.first_attempt_at or now) >= RETRY_FOR]
            if dead:
                store.attempted(session, [i.seq for i in dead], status="dead",
                                http_status=status, error=error, next_at=None)
            rest = [i for i in items if i.seq not in {d.seq for d in dead}]
            if rest:
                next_at = now + backoff(rest[0].attempts + 1)
                store.attempted(session, [i.seq for i in rest], status="pending",
                                http_status=status, error=error, next_at=next_at)
                _again(session, hook_id, next_at)
                session.commit()
                return "retrying"
        session.commit()


def _again(session: Session, hook_id, at: datetime) -> None:
    defer(session, "webhooks.deliver", {"hook_id": str(hook_id)}, queue="webhooks",
          lock=f"webhook:{hook_id}", queueing_lock=f"webhook:{hook_id}", at=at,
          priority=LAST_STEP)
