"""The restore drill (issue 13): visits, incidents and photos are written; a backup is taken;
more is written, with a moment T in between; the database and the photo store are destroyed;
the state at T is restored from pgBackRest's encrypted repository and the photo copies. Every
table comes back byte for byte as it was at T, nothing written after T does, every photo the
restored database names is back with its hash, and the audit chain verifies against the head
noted at backup time.

It runs in `make test` against a scratch cluster of its own (never the shared one)."""
from __future__ import annotations

import io
import os
import shutil
import shutil as _sh
import time
import uuid
from datetime import datetime, timezone

import pytest
from PIL import Image
from sqlalchemy import create_engine, text

from server.core.db import db
from server.ops import backups, drill, pgbackrest, photos
from tests import factories
from tests.integration.ops import drill_env

pytestmark = pytest.mark.drill

if not _sh.which("pgbackrest") and not os.environ.get("CI"):
    pytest.skip("pgBackRest is not installed (scripts/system-deps.sh installs it)",
                allow_module_level=True)


def _jpeg(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def _report(facility_id, narrative: str) -> dict:
    from datetime import date, datetime, timedelta, timezone
    now = datetime.now(timezone.utc)
    return {"id": str(uuid.uuid4()), "facility_id": str(facility_id),
            "started_at": (now - timedelta(hours=2)).isoformat(),
            "ended_at": (now - timedelta(hours=1)).isoformat(),
            "position": {"type": "Point", "coordinates": [61.0668, 34.6668]},
            "position_accuracy_m": 6, "access": "full", "held": {"men": 10},
            "notes": narrative, "photos": ["cell.jpg"],
            "incidents": [{"type": "arbitrary_arrest", "occurred_on": date.today().isoformat(),
                           "location_precision": "facility", "severity": 2,
                           "affected": {"men": 1}, "narrative": narrative}]}


def _submit(client, auth, facility_id, narrative, colour) -> tuple[str, str]:
    """A visit with an incident and a photo, acknowledged; returns (visit id, photo sha256)."""
    body = _report(facility_id, narrative)
    assert client.post("/api/submissions", json=body, headers=auth).status_code in (200, 201)
    put = client.put(f"/api/submissions/{body['id']}/photos/cell.jpg", data=_jpeg(colour),
                     headers=auth, content_type="image/jpeg")
    assert put.status_code == 201, put.get_data(as_text=True)
    engine = create_engine(client.application.config["DATABASE_URL"])
    with engine.connect() as c:
        sha = c.execute(text("SELECT sha256 FROM attachments WHERE visit_id = :v"),
                        {"v": body["id"]}).scalar_one()
    engine.dispose()
    return body["id"], sha


def _db_now(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as c:
        moment = c.execute(text("SELECT clock_timestamp()")).scalar_one()
    engine.dispose()
    return moment.isoformat(sep=" ")


def _wait_until_db_clock_passes(url: str, epoch: float, timeout: float = 10) -> None:
    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        with engine.connect() as c:
            while c.execute(text("SELECT extract(epoch FROM clock_timestamp())")).scalar_one() \
                    < epoch:
                assert time.monotonic() < deadline, "the database clock stands still"
                time.sleep(0.02)
    finally:
        engine.dispose()


def test_point_in_time_restore_brings_back_exactly_what_was_acknowledged(tmp_path, monkeypatch):
    began = time.monotonic()
    world = drill_env.build(tmp_path, monkeypatch)
    try:
        app = world.app
        with app.app_context():
            org = factories.organisation(db.session)
            monitor = factories.user(db.session, role="monitor", organisation=org)
            facility = factories.facility(db.session, name="Islam Qala")
            auth = factories.bearer(factories.device_token(db.session, monitor))
            db.session.commit()
            facility_id = facility.id
        client = app.test_client()

        first, first_photo = _submit(client, auth, facility_id, "before the backup", (200, 0, 0))
        with app.app_context():
            taken = backups.backup(app.config, "full")
        assert taken.audit_head and taken.photos_copied == 1
        listed = pgbackrest.backups(world.settings)
        assert [b.audit_head for b in listed] == [taken.audit_head]
        # pgBackRest keeps a backup's stop time to the second, and a time target picks a backup
        # that stopped before it: T falls in a later second than the backup's stop
        _wait_until_db_clock_passes(world.url, listed[0].finished_at.timestamp() + 1)

        second, second_photo = _submit(client, auth, facility_id, "after the backup", (0, 200, 0))
        with app.app_context():
            assert backups.sync_photos(app.config).copied == 1
        at_t = drill.table_digests(world.url)
        target = _db_now(world.url)
        time.sleep(0.05)

        late, late_photo = _submit(client, auth, facility_id, "after T", (0, 0, 200))
        with app.app_context():
            backups.sync_photos(app.config)
        assert drill.table_digests(world.url) != at_t
        pgbackrest.run(world.settings, "check")  # the WAL holding "after T" is archived too

        # Disaster: the cluster and the photo store are gone.
        drill_env.release(world)
        world.cluster.stop("immediate")
        world.cluster.empty_data()
        shutil.rmtree(world.store)

        pgbackrest.restore(world.settings, to=target)
        world.cluster.start(wait_recovery=True)

        assert drill.table_digests(world.url) == at_t  # every table, byte for byte, as at T
        engine = create_engine(world.url)
        with engine.connect() as c:
            visits = set(map(str, c.execute(text("SELECT id FROM visits")).scalars()))
        engine.dispose()
        assert {first, second} <= visits and late not in visits

        result = drill.Result()
        drill.check_restored(result, world.url, taken.audit_head, world.backup / "photos",
                             world.store)
        assert result.ok, result.lines
        for sha in (first_photo, second_photo):
            restored = list(world.store.glob(f"*/*/{sha}*"))
            assert len(restored) == 1 and photos.digest(restored[0]) == sha
        assert not list(world.store.glob(f"*/*/{late_photo}*"))

        seq = int(taken.audit_head.split(":")[0])
        _, problem = drill.verify_audit(world.url, f"{seq}:{'0' * 64}")
        assert problem and "anchor" in problem  # a wrong anchor is caught

        # The command form: the same checks from the repository into a scratch cluster of its
        # own, while the (restored) database keeps running untouched.
        outcome = app.test_cli_runner().invoke(args=["ops", "drill"])
        assert outcome.exit_code == 0, outcome.output
        assert "restore drill passed" in outcome.output
        assert f"anchor {taken.audit_head}" in outcome.output
        # (the latest of the original timeline: all three visits, all three photos)
        assert "photos: 3 of 3 restored" in outcome.output and "visits 3," in outcome.output
        assert world.cluster.psql("SELECT count(*) FROM visits", db="nezarat").strip() == "2"
        # and to the moment T, as an admin types it (`--to "YYYY-MM-DD HH:MM:SS"`, UTC): the
        # two visits acknowledged before T, the anchor of the backup before T
        typed = datetime.fromisoformat(target).astimezone(timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S.%f")  # no offset typed: UTC
        outcome = app.test_cli_runner().invoke(args=["ops", "drill", "--to", typed])
        assert outcome.exit_code == 0, outcome.output
        assert "visits 2," in outcome.output and f"anchor {taken.audit_head}" in outcome.output
    finally:
        drill_env.destroy(world)
    assert time.monotonic() - began < 120
