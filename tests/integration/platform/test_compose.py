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
    assert "gunicorn" in compose["services"]["app"]["command"]
    assert {"pgdata", "uploads"} <= set(compose["volumes"])


def test_env_example_documents_every_setting():
    lines = (ROOT / ".env.example").read_text().splitlines()
    documented = {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}
    assert documented == set(SETTINGS)
