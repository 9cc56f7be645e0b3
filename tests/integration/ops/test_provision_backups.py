"""scripts/provision-backups.sh (issue 13), as `make run` calls it, against a Debian cluster of
its own (pg_createcluster; never the machine's 15/main): WAL archiving on and really reaching the
encrypted repository, the passphrase made once and kept out of sight, and a second run that
changes nothing and restarts nothing."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from server.ops.cluster import free_port

ROOT = Path(__file__).resolve().parents[3]
VERSION = "15"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("pg_createcluster")
                       or not shutil.which("pgbackrest"),
                       reason="needs root, Debian's postgresql-common and pgbackrest"),
]


def _psql(port: int, sql: str) -> str:
    return subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-tA", "-p",
                           str(port), "-d", "postgres", "-c", sql], capture_output=True,
                          text=True, check=True, cwd="/").stdout.strip()


@pytest.fixture()
def cluster():
    name = f"nzprov{secrets.token_hex(3)}"
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="nezarat-provision-"))
    work.chmod(0o711)  # postgres reaches its repository inside
    subprocess.run(["pg_createcluster", VERSION, name, "-p", str(port), "--start"],
                   check=True, capture_output=True)
    try:
        yield name, port, work
    finally:
        subprocess.run(["pg_dropcluster", "--stop", VERSION, name], capture_output=True)
        # pg_dropcluster leaves the folder when it holds a file of ours (conf.d/...)
        shutil.rmtree(f"/etc/postgresql/{VERSION}/{name}", ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def test_provisioning_turns_archiving_on_once(cluster):
    name, port, work = cluster
    conf_dir = Path(f"/etc/postgresql/{VERSION}/{name}")
    env = {**os.environ, "PG_CLUSTER": name, "PGPORT": str(port),
           "PGBACKREST_CONFIG": str(work / "pgbackrest.conf"), "PGBACKREST_STANZA": name,
           "BACKUP_REPO_PATH": str(work / "repo"), "BACKUP_LOCK_PATH": str(work / "lock"),
           "BACKUP_LOG_PATH": str(work / "log"), "BACKUP_SPOOL_PATH": str(work / "spool"),
           "BACKUP_PASSPHRASE_FILE": str(work / "passphrase"),
           # a repository setting by environment, as the S3 ones are (README, backups):
           # archive-push must see it too, or WAL would go to another repository
           "PGBACKREST_REPO1_RETENTION_FULL": "2"}
    env.pop("PGBACKREST_REPO1_CIPHER_PASS", None)
    assert _psql(port, "SHOW archive_mode") == "off"

    first = subprocess.run(["scripts/provision-backups.sh"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    passphrase = (work / "passphrase").read_text().strip()
    assert len(passphrase) >= 40
    assert stat.S_IMODE((work / "passphrase").stat().st_mode) == 0o600
    assert passphrase not in first.stdout + first.stderr
    assert "restarting" in first.stderr

    assert _psql(port, "SHOW archive_mode") == "on"
    assert _psql(port, "SHOW archive_command") == (
        f"pgbackrest --config={work / 'pgbackrest.conf'} --stanza={name} archive-push %p")
    assert int(_psql(port, "SELECT archived_count FROM pg_stat_archiver")) >= 1  # the check
    assert _psql(port, "SELECT failed_count FROM pg_stat_archiver") == "0"
    environment = conf_dir / "environment"
    assert f"PGBACKREST_REPO1_CIPHER_PASS = '{passphrase}'" in environment.read_text()
    assert "PGBACKREST_REPO1_RETENTION_FULL = '2'" in environment.read_text()
    assert stat.S_IMODE(environment.stat().st_mode) == 0o640
    rendered = (work / "pgbackrest.conf").read_text()
    assert f"pg1-port={port}" in rendered and "repo1-cipher-type=aes-256-cbc" in rendered
    assert passphrase not in rendered
    assert stat.S_IMODE((work / "pgbackrest.conf").stat().st_mode) == 0o640

    # The repository is encrypted with that passphrase: without it pgBackRest cannot read it.
    info = subprocess.run(["runuser", "-u", "postgres", "--", "pgbackrest",
                           f"--config={work / 'pgbackrest.conf'}", f"--stanza={name}",
                           "--output=json", "info"], capture_output=True, text=True, cwd="/",
                          env={**env, "PGBACKREST_REPO1_CIPHER_PASS": passphrase})
    stanza = json.loads(info.stdout)[0]
    assert stanza["cipher"] == "aes-256-cbc" and stanza["archive"][0]["max"], info.stdout
    wrong = subprocess.run(["runuser", "-u", "postgres", "--", "pgbackrest",
                            f"--config={work / 'pgbackrest.conf'}", f"--stanza={name}",
                            "--output=json", "info"], capture_output=True, cwd="/",
                           env={**env, "PGBACKREST_REPO1_CIPHER_PASS": "not-the-passphrase"})
    assert b'"archive":[]' in wrong.stdout and b'"archive":[{' not in wrong.stdout

    started = _psql(port, "SELECT pg_postmaster_start_time()")
    second = subprocess.run(["scripts/provision-backups.sh"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "restarting" not in second.stderr and "writing" not in second.stderr
    assert _psql(port, "SELECT pg_postmaster_start_time()") == started
    assert (work / "passphrase").read_text().strip() == passphrase
