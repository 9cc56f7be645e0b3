"""Fixtures: a real PostGIS test database migrated from migrations/, one rolled-back
transaction per test, the app and its test client, and a live server for browser tests."""
from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from server import create_app
from server.core import schema
from server.core.db import db

TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/nezarat_test")
ARTIFACTS = Path(__file__).parent / "artifacts"


def reset_database(url: str) -> None:
    """Drop everything the app role owns (PostGIS itself belongs to the superuser)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP OWNED BY CURRENT_USER CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    reset_database(TEST_DATABASE_URL)
    schema.upgrade(TEST_DATABASE_URL)
    return TEST_DATABASE_URL


@pytest.fixture(scope="session")
def app_config(database_url, tmp_path_factory) -> dict:
    return {"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret",
            "STORAGE_DIR": str(tmp_path_factory.mktemp("storage")), "LOG_LEVEL": "WARNING"}


@pytest.fixture(scope="session")
def app(app_config):
    return create_app(app_config)


@pytest.fixture()
def connection(app):
    """Each test runs inside one transaction that is rolled back at the end."""
    with app.app_context():
        conn = db.engine.connect()
    outer = conn.begin()
    db.bind_sessions_to(app, conn)
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture()
def client(app, connection):
    return app.test_client()


@pytest.fixture()
def session(app, connection):
    with app.app_context():
        yield db.session


@pytest.fixture()
def runner(app, connection):
    return app.test_cli_runner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('spatial_ref_sys', 'alembic_version')")).scalars().all()
        if tables:
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
    engine.dispose()


@pytest.fixture()
def live_server(app_config):
    """The app on 127.0.0.1 with real commits; every table is emptied afterwards."""
    live_app = create_app(dict(app_config))
    port = _free_port()
    server = make_server("127.0.0.1", port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live_app.config["LIVE_URL"] = f"http://127.0.0.1:{port}"
    try:
        yield live_app
    finally:
        server.shutdown()
        thread.join(5)
        with live_app.app_context():
            db.engine.dispose()
        truncate_all(app_config["DATABASE_URL"])


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
