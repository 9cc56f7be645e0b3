"""Second pass: /readyz and /healthz are public (load balancers), and each answer read every
migration file to know the code's heads (~15 ms of CPU, 80 times /livez): a cheap way for
anyone to keep a worker busy. The heads are read once a process now."""
from __future__ import annotations

from alembic.script import ScriptDirectory


def test_public_health_checks_do_not_read_the_migrations_per_request(client, monkeypatch):
    reads = []
    real = ScriptDirectory.from_config.__func__

    def counting(cls, *args, **kwargs):
        reads.append(1)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(ScriptDirectory, "from_config", classmethod(counting))
    for path in ("/readyz", "/healthz") * 5:
        answer = client.get(path)
        assert answer.get_json()["migrations"] == "current", path
    assert len(reads) <= 1, f"the migration scripts were read {len(reads)} times for 10 checks"
