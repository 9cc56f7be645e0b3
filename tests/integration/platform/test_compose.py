"""docker-compose.yml cannot run here (no Docker engine); check it against the config instead."""
from pathlib import Path

import yaml

from server.config import SETTINGS

ROOT = Path(__file__).resolve().parents[3]


def test_compose_sets_only_variables_the_app_reads():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    app_env = compose["services"]["app"]["environment"]
    assert app_env, "the app service must be configured by environment variables"
    unknown = sorted(set(app_env) - set(SETTINGS))
    assert unknown == [], f"docker-compose sets variables the app never reads: {unknown}"
    assert "DATABASE_URL" in app_env and "SECRET_KEY" in app_env


def test_compose_has_postgis_gunicorn_and_volumes():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "postgis" in compose["services"]["db"]["image"]
    assert "pgbackrest" in (ROOT / compose["services"]["db"]["build"]["dockerfile"]).read_text()
    assert "gunicorn" in compose["services"]["app"]["command"]
    assert {"pgdata", "uploads"} <= set(compose["volumes"])


def test_env_example_documents_every_setting():
    lines = (ROOT / ".env.example").read_text().splitlines()
    documented = {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}
    assert documented == set(SETTINGS)


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _mounts(service: dict) -> dict:
    """container path -> volume name"""
    found = {}
    for entry in service.get("volumes", []):
        volume, path = entry.split(":")[:2]
        found[path] = volume
    return found


def test_the_database_image_is_not_tagged_as_its_own_base():
    """Tagging the built image with its base's name makes the next build start from itself."""
    db = _compose()["services"]["db"]
    base = next(line.split()[1] for line in (ROOT / db["build"]["dockerfile"]).read_text()
                .splitlines() if line.startswith("FROM "))
    assert db["image"] != base


def test_backups_in_compose_agree_with_the_app_and_the_database():
    """The backup service backs up what the database archives into (same configuration file,
    stanza and repository volume), copies the photos the app stores, and writes its status where
    the app's /healthz reads it; it sets only the app's settings and pgBackRest's own."""
    services = _compose()["services"]
    db, app, backup = services["db"], services["app"], services["backup"]
    env = backup["environment"]
    archive = db["command"]
    assert f"--config={env['PGBACKREST_CONFIG']}" in archive
    assert f"--stanza={env['PGBACKREST_STANZA']}" in archive
    assert sorted(set(env) - set(SETTINGS)) == ["PGBACKREST_PG1_USER",
                                                 "PGBACKREST_REPO1_CIPHER_PASS"]
    assert env["PGBACKREST_PG1_USER"] == db["environment"]["POSTGRES_USER"]
    for name in ("STORAGE_DIR", "BACKUP_DIR", "SECRET_KEY", "DATA_KEY"):
        assert env[name] == app["environment"][name], name
    for path in (env["STORAGE_DIR"], env["BACKUP_DIR"]):
        assert _mounts(backup)[path] == _mounts(app)[path], path
    for path in ("/var/lib/postgresql/data", "/var/lib/pgbackrest", "/var/run/postgresql"):
        assert _mounts(backup)[path] == _mounts(db)[path], path
    # the drill restores into a scratch cluster: the backup image has the database's PostgreSQL
    # and PostGIS, and both images the same pgBackRest (one repository, two writers)
    db_base = (ROOT / db["build"]["dockerfile"]).read_text()
    backup_image = (ROOT / backup["build"]["dockerfile"]).read_text()
    assert "FROM postgis/postgis:15-3.4" in db_base and "FROM postgis/postgis:15-3.4" in backup_image
    assert "-t bookworm pgbackrest" in db_base and "-t bookworm pgbackrest" in backup_image
    script = ROOT / backup["command"]
    assert script.is_file() and script.stat().st_mode & 0o111
    text = script.read_text()
    assert "ops backup" in text and "ops sync-photos" in text and "stanza-create" in text


def test_deploy_files_agree_with_each_other_and_the_readme():
    """The proxy sends to the port gunicorn listens on (systemd unit, deploy/nezarat, compose);
    the units read the files the README's runbook writes, and the files they name exist."""
    readme = (ROOT / "README.md").read_text()
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "{$NEZARAT_UPSTREAM:127.0.0.1:8000}" in caddy
    assert "--bind 127.0.0.1:8000" in (ROOT / "deploy/systemd/nezarat.service").read_text()
    assert "NEZARAT_BIND:-127.0.0.1:8000" in (ROOT / "deploy" / "nezarat").read_text()
    assert "127.0.0.1:8000:8000" in _compose()["services"]["app"]["ports"]
    for unit in sorted((ROOT / "deploy" / "systemd").iterdir()):
        for line in unit.read_text().splitlines():
            if line.startswith("EnvironmentFile="):
                path = line.split("=", 1)[1].lstrip("-")
                assert f"> {path}" in readme or f"{path}`" in readme, (unit.name, path)
            if line.startswith(("ExecStart=", "ExecStartPre=")) and "deploy/" in line:
                named = line.split("deploy/", 1)[1].split()[0]
                assert (ROOT / "deploy" / named).exists(), (unit.name, named)
    for unit in ("nezarat.service", "nezarat-worker.service", "nezarat-backup.timer",
                 "nezarat-photo-sync.timer", "nezarat-drill.timer"):
        assert (ROOT / "deploy" / "systemd" / unit).exists() and unit.split(".")[0] in readme
