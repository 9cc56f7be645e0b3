"""Schemathesis over /api/openapi.json, in-process (WSGI), as each kind of caller: no 5xx, and no
response that contradicts the document (status code, content type, headers, body schema).

Bounded: FUZZ_EXAMPLES examples per operation, positive and negative data, each sent as every
caller; shrinking off, derandomized (the same cases every run). FUZZ_EXAMPLES=0 skips; raise it for a longer hunt."""
from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from tests import factories

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]

def _report(session, client, facility, auth) -> dict:
    now = datetime.now(timezone.utc)
    body = {"id": str(uuid.uuid4()), "facility_id": str(facility.id),
            "started_at": (now - timedelta(hours=3)).isoformat(),
            "ended_at": (now - timedelta(hours=2)).isoformat(),
            "position": {"type": "Point", "coordinates": [61.0668, 34.6668]},
            "position_accuracy_m": 6, "access": "full",
            "held": {"women": 20, "men": 110, "girls": 5, "boys": 5, "unaccompanied": 2},
            "notes": "notes", "photos": ["cell.jpg"],
            "incidents": [{"type": "arbitrary_arrest", "occurred_on": date.today().isoformat(),
                           "location_precision": "facility", "severity": 3,
                           "affected": {"men": 4}, "narrative": "narrative"}]}
    response = client.post("/api/submissions", json=body, headers=auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    return body


@pytest.fixture()
def callers(app, session, client):
    """(headers, cookies) of each caller, and some records for them to find."""
    org = factories.organisation(session)
    facility = factories.facility(session, lon=61.0667, lat=34.6667)
    monitor = factories.user(session, role="monitor", organisation=org)
    coordinator = factories.user(session, role="coordinator", organisation=org)
    admin = factories.user(session, role="admin", organisation=org)
    device = factories.bearer(factories.device_token(session, monitor))
    for _ in range(2):
        _report(session, client, facility, device)

    def browser(user) -> dict:
        cookie, csrf = factories.browser_session(session, user)
        return {"X-CSRF-Token": csrf}, {app.config["SESSION_COOKIE_NAME"]: cookie}

    partner = factories.partner_key(session, scopes=("incidents:read", "facilities:read",
                                                      "exports"))
    return {"anonymous": ({}, {}), "monitor": (device, {}), "coordinator": browser(coordinator),
            "admin": browser(admin), "partner": (factories.bearer(partner), {})}


SHARDS = 4  # the operations split into this many tests, for the parallel workers


def fuzz(app, callers: dict, examples: int, shard: int) -> list[str]:
    """The responses that contradict the document, for every operation of one shard, each
    generated case sent as every caller (generating a case costs more than answering it)."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = sorted((result.ok() for result in schema.get_all_operations()),
                        key=lambda operation: operation.label)
    failures: list[str] = []
    for operation in operations[shard::SHARDS]:
        for mode, count in ((GenerationMode.POSITIVE, examples),
                            (GenerationMode.NEGATIVE, max(1, examples // 2))):
            @settings(max_examples=count, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                for caller, (headers, cookies) in callers.items():
                    failure = send(case, caller, headers, cookies)
                    if failure:
                        failures.append(f"{operation.label} [{mode.value}] as {caller} {failure}")
            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                assert mode == GenerationMode.NEGATIVE, operation.label
    return failures


def send(case, caller: str, headers: dict, cookies: dict) -> str | None:
    """What is wrong with the answer to `case` sent as `caller`, or None."""
    try:  # identity: the WSGI client would not undo the gzip the server sends
        response = case.call(headers={**headers, "Accept-Encoding": "identity"}, cookies=cookies)
    except Exception as exc:  # TESTING propagates what would be a 500
        return f"500: {type(exc).__name__}: {exc}"[:400]
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as exc:
        return (f"{response.status_code}: "
                + "; ".join(f.title + " " + (f.message or "")[:300] for f in exc.exceptions)
                + f"\n    {case.method} {case.formatted_path} query={case.query} "
                f"body={str(case.body)[:200]}")
    return None


@pytest.mark.skipif(EXAMPLES == 0, reason="FUZZ_EXAMPLES=0")
@pytest.mark.parametrize("shard", range(SHARDS))
def test_the_server_does_what_its_document_says(app, callers, shard):
    unique = sorted(set(fuzz(app, callers, EXAMPLES, shard)))
    assert not unique, f"{len(unique)} responses contradict the document:\n" + "\n".join(unique)
