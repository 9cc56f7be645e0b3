"""`flask audit verify` passes on an untouched log and names the entry after tampering done
directly in SQL by someone who owns the table (and so can switch off its append-only trigger)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from server.core import audit
from server.core.access import Principal
from server.core.audit import GENESIS, chain_hash, entry_fields


@pytest.fixture()
def log(session):
    """Ten audit entries written by the real writer; returns their seqs."""
    actor = Principal(kind="cli")
    entries = [audit.record(session, f"test.event{n}", actor, target_type="thing",
                            target_id=n, details={"n": n}) for n in range(10)]
    session.flush()
    return [e.seq for e in entries]


def verify(runner, *args):
    result = runner.invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output


def untrigger(session):
    """What a tamperer owning the table does first."""
    session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))


def _row(seq, occurred_at, action, details):
    """An entry as a forger would compute it (fields as audit.entry_fields reads them)."""
    return type("Row", (), {"seq": seq, "occurred_at": occurred_at, "actor_kind": "cli",
                            "actor_id": None, "organisation_id": None, "action": action,
                            "target_type": None, "target_id": None, "address": None,
                            "details": details})


def test_a_fresh_log_verifies(runner):
    code, output = verify(runner)
    assert code == 0, output
    assert "audit chain intact: 0 entries verified" in output


def test_an_untouched_log_verifies_and_prints_its_head(runner, log, session):
    code, output = verify(runner)
    assert code == 0, output
    assert f"{len(log)} entries verified" in output
    head = re.search(r"head (\d+):([0-9a-f]{64})", output)
    assert int(head[1]) == log[-1]
    assert verify(runner, "--anchor", f"{head[1]}:{head[2]}")[0] == 0


def test_the_application_cannot_change_or_remove_entries(session, log):
    for statement in (f"UPDATE audit_log SET action = 'x' WHERE seq = {log[0]}",
                      f"DELETE FROM audit_log WHERE seq = {log[0]}", "TRUNCATE audit_log",
                      "UPDATE audit_head SET seq = 1"):
        nested = session.begin_nested()
        with pytest.raises(DBAPIError):
            session.execute(text(statement))
        nested.rollback()


def test_an_update_is_detected_and_located(runner, session, log):
    untrigger(session)
    session.execute(text("UPDATE audit_log SET details = '{\"n\": 99}' WHERE seq = :s"),
                    {"s": log[4]})
    code, output = verify(runner)
    assert code == 1
    assert f"entry {log[4]} (test.event4" in output and "was altered" in output
    assert f"after {4 + log[0] - 1} good entries" in output


def test_a_delete_is_detected_and_located(runner, session, log):
    untrigger(session)
    session.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": log[6]})
    code, output = verify(runner)
    assert code == 1
    assert f"entry {log[6]} was removed" in output


def test_removing_the_last_entries_is_detected(runner, session, log):
    untrigger(session)
    session.execute(text("DELETE FROM audit_log WHERE seq >= :s"), {"s": log[8]})
    code, output = verify(runner)
    assert code == 1
    assert f"entries {log[8]} to {log[9]} were removed from the end" in output


def test_an_inserted_row_is_detected_and_located(runner, session, log):
    """A forged entry slipped in after entry 5 with a valid hash of its own; the later
    entries are renumbered to make room."""
    untrigger(session)
    after = log[5]
    session.execute(text("UPDATE audit_log SET seq = -seq WHERE seq > :s"), {"s": after})
    session.execute(text("UPDATE audit_log SET seq = -seq + 1 WHERE seq < 0"))
    previous = session.execute(text("SELECT hash FROM audit_log WHERE seq = :s"),
                               {"s": after}).scalar()
    at = session.execute(text("SELECT occurred_at FROM audit_log WHERE seq = :s"),
                         {"s": after}).scalar()
    digest = chain_hash(previous, entry_fields(_row(after + 1, at, "test.forged", {"n": -1})))
    session.execute(text("""
        INSERT INTO audit_log (seq, occurred_at, actor_kind, action, details, prev_hash, hash)
        VALUES (:seq, :at, 'cli', 'test.forged', '{"n": -1}', :prev, :hash)"""),
        {"seq": after + 1, "at": at, "prev": previous, "hash": digest})
    code, output = verify(runner)
    assert code == 1
    assert f"entry {after + 1} (test.forged" in output and "was inserted" in output


def test_a_row_appended_by_hand_is_detected(runner, session, log):
    """Appended with a correct hash, but not by the audit writer: the head does not know it."""
    untrigger(session)
    last = session.execute(text("SELECT seq, hash, occurred_at FROM audit_log "
                                "ORDER BY seq DESC LIMIT 1")).one()
    row = _row(last.seq + 1, last.occurred_at, "test.appended", {})
    session.execute(text("""
        INSERT INTO audit_log (seq, occurred_at, actor_kind, action, details, prev_hash, hash)
        VALUES (:seq, :at, 'cli', 'test.appended', '{}', :prev, :hash)"""),
        {"seq": last.seq + 1, "at": last.occurred_at, "prev": last.hash,
         "hash": chain_hash(last.hash, entry_fields(row))})
    code, output = verify(runner)
    assert code == 1
    assert f"entries {last.seq + 1} to {last.seq + 1} were inserted at the end" in output


def test_a_rewritten_log_is_caught_by_an_anchor(runner, session, log):
    """Someone recomputes every hash after changing an entry (and the head with it): only a
    head noted outside the database shows it."""
    anchor = re.search(r"head (\d+:[0-9a-f]{64})", verify(runner)[1])[1]
    untrigger(session)
    session.execute(text("ALTER TABLE audit_head DISABLE TRIGGER USER"))
    session.execute(text("UPDATE audit_log SET details = '{\"n\": 42}' WHERE seq = :s"),
                    {"s": log[2]})
    previous = GENESIS
    for row in session.execute(text("SELECT * FROM audit_log ORDER BY seq")).mappings().all():
        new = chain_hash(previous, entry_fields(type("Row", (), dict(row))))
        session.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
                        {"p": previous, "h": new, "s": row["seq"]})
        previous = new
    session.execute(text("UPDATE audit_head SET hash = :h"), {"h": previous})
    assert verify(runner)[0] == 0  # self-consistent again
    code, output = verify(runner, "--anchor", anchor)
    assert code == 1 and "the log was rewritten" in output


def test_a_bad_anchor_is_a_usage_error(runner):
    code, output = verify(runner, "--anchor", "12:nothex")
    assert code == 2 and "SEQ:HASH" in output
