"""Fixtures: a real PostGIS test database migrated from migrations/, one rolled-back
transaction per test, the app and its test client, and a live server for browser tests.

Under pytest-xdist (`make test` runs `pytest -n ...`) each worker has a database of its own,
TEST_DATABASE_URL's name with the worker's id appended (nezarat_test_gw0, nezarat_test_gw1, ...),
made by the session itself as a copy of that database (which carries PostGIS, installed by the
superuser in `make testdb`), then emptied and migrated like the single one."""
from __future__ import annotations

import graphlib
import os
import socket
import threading
import time
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError
from werkzeug.serving import make_server

from server import create_app
from server.accounts import passwords, totp
from server.core import schema
from server.core.db import db
from tests import factories

BASE_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/nezarat_test")
# "gw0", "gw1", ... in a pytest-xdist worker (set before this module is imported); None otherwise
WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def worker_database_url(url: str, worker: str | None) -> str:
    """The database of one xdist worker: the name with the worker's id appended."""
    if not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(
        hide_password=False)


TEST_DATABASE_URL = worker_database_url(BASE_DATABASE_URL, WORKER)
ARTIFACTS = Path(__file__).parent / "artifacts"


def ensure_database(url: str, template_url: str, wait: float = 60) -> None:
    """Create the database of `url` as a copy of `template_url`'s unless it exists. The copy
    brings the PostGIS and pg_trgm extensions, which only a superuser may install; the app role
    needs CREATEDB (scripts/provision-db.sh gives it). PostgreSQL refuses to copy a database
    while another session is connected to it: retried for `wait` seconds."""
    name, template = make_url(url).database, make_url(template_url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + wait
    try:
        with admin.connect() as connection:
            while not connection.execute(text("SELECT EXISTS (SELECT FROM pg_database "
                                              "WHERE datname = :name)"), {"name": name}).scalar():
                try:
                    connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
                except DBAPIError as error:
                    # another worker made it meanwhile, or the template is in use: look again
                    if time.monotonic() > deadline:
                        raise RuntimeError(
                            f"cannot create the test database {name} from {template} (run "
                            f"`make testdb`; no other session may use {template}): {error}"
                        ) from error
                    time.sleep(0.5)
    finally:
        admin.dispose()


def pytest_configure(config) -> None:
    """Before pytest-xdist starts its workers, the controller builds the front-end bundles
    (static/gen/) that are out of date: webassets writes a bundle in place, so two workers
    building the same one at once could serve it half-written to each other's browser."""
    if getattr(config, "workerinput", None) is None and config.getoption("numprocesses", None):
        from server.web import assets
        app = create_app({"DATABASE_URL": BASE_DATABASE_URL, "SECRET_KEY": "assets",
                          "LOG_LEVEL": "WARNING"})
        with app.test_request_context():
            for name in assets.BUNDLES:
                assets.asset_urls(name)


def reset_database(url: str) -> None:
    """Drop everything the app role owns (PostGIS itself belongs to the superuser)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP OWNED BY CURRENT_USER CASCADE"))
    engine.dispose()


# Tables the migrations themselves fill (reference data): live-server clean-ups keep them.
REFERENCE_TABLES: set[str] = {"spatial_ref_sys", "alembic_version"}


def _public_tables(connection) -> list[str]:
    return connection.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL != BASE_DATABASE_URL:
        ensure_database(TEST_DATABASE_URL, BASE_DATABASE_URL)
    reset_database(TEST_DATABASE_URL)
    schema.upgrade(TEST_DATABASE_URL)
    engine = create_engine(TEST_DATABASE_URL)
    with engine.connect() as connection:
        REFERENCE_TABLES.update(
            t for t in _public_tables(connection)
            if connection.execute(text(f'SELECT EXISTS (SELECT FROM "{t}")')).scalar()
            and t != "audit_head")  # seeded by a migration, but it follows the log
    engine.dispose()
    return TEST_DATABASE_URL


@pytest.fixture(scope="session")
def app_config(database_url, tmp_path_factory) -> dict:
    return {"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret",
            "STORAGE_DIR": str(tmp_path_factory.mktemp("storage")),
            "BACKUP_DIR": str(tmp_path_factory.mktemp("backup")), "LOG_LEVEL": "WARNING",
            # argon2-cffi's profile for test suites: a sign-in costs microseconds, not a real
            # hash (tests/integration/accounts/test_sign_in.py checks the deployed profile)
            "PASSWORD_HASH_PROFILE": passwords.TEST_PROFILE}


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
    """A port free now, for a server that must be told its port before it binds (it may be
    taken in between: prefer binding port 0 where the server allows it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# What migration 0014 makes: the audit chain's head at the genesis, before any entry.
SEED_AUDIT_HEAD = ("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64)) "
                   "ON CONFLICT (id) DO NOTHING")


def _children_first(connection, tables: list[str]) -> list[str] | None:
    """`tables` ordered so that a table comes before every table its foreign keys point to
    (None if the keys make a cycle)."""
    parents: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in connection.execute(text(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = 'public'::regnamespace")).all():
        if child in parents and parent in parents and child != parent:
            parents[parent].add(child)  # the parent waits for its children
    try:
        return list(graphlib.TopologicalSorter(parents).static_order())
    except graphlib.CycleError:
        return None


def truncate_all(url: str) -> None:
    """Empty every table a test may have written (reference tables kept): one round trip finds
    the tables holding rows, and one more empties only those, children before parents. A DELETE
    of a test's few rows costs a fraction of a TRUNCATE, which replaces each table's and each
    index's files (and TRUNCATE ... CASCADE empties every referencing table again); the tables'
    own triggers (the append-only audit log, the map's aggregates, which are emptied as tables
    of their own) are off meanwhile. A foreign-key cycle falls back to TRUNCATE."""
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = [t for t in _public_tables(connection) if t not in REFERENCE_TABLES]
        if tables:
            probe = " UNION ALL ".join(
                f"SELECT '{t}' WHERE EXISTS (SELECT FROM \"{t}\")" for t in tables)
            tables = [t for t in tables if t in set(connection.execute(text(probe)).scalars())]
        if tables:  # a request still holding a lock fails the clean-up, never hangs it
            ordered = _children_first(connection, tables)
            triggered = set(connection.execute(text(
                "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(:tables)"),
                {"tables": tables}).scalars()) if ordered else {"audit_log"}
            steps = ["SET LOCAL lock_timeout = '20s'"]
            steps += [f'ALTER TABLE "{t}" DISABLE TRIGGER USER' for t in sorted(triggered)]
            steps += ([f'DELETE FROM "{t}"' for t in ordered] if ordered
                      else [f'TRUNCATE "{t}" CASCADE' for t in tables])
            steps += [f'ALTER TABLE "{t}" ENABLE TRIGGER USER' for t in sorted(triggered)]
            steps.append(SEED_AUDIT_HEAD)
            connection.exec_driver_sql(";\n".join(steps))
    engine.dispose()


@pytest.fixture(scope="session")
def _live_app(app_config):
    """One app served on 127.0.0.1 for the whole session (building one costs seconds)."""
    live_app = create_app(dict(app_config))
    # port 0: the system gives a free port, bound at once (no other worker can take it between)
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live_app.config["LIVE_URL"] = f"http://127.0.0.1:{port}"
    yield live_app
    server.shutdown()
    thread.join(5)
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture()
def live_server(_live_app, app_config):
    """The app on 127.0.0.1 with real commits; what a test wrote, and any setting it changed,
    is undone afterwards."""
    settings = dict(_live_app.config)
    try:
        yield _live_app
    finally:
        _live_app.config.clear()
        _live_app.config.update(settings)
        truncate_all(app_config["DATABASE_URL"])


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- signing in -----------------------------------------------------------------------------

def csrf_of(client) -> str:
    """The CSRF token of the client's current browser session (starting one if needed)."""
    return client.get("/api/auth/session").get_json()["csrf_token"]


def totp_code(user) -> str:
    """The user's current TOTP code, or the next step's when the current one was used."""
    step = totp.current_step()
    if user.totp_last_step is not None and user.totp_last_step >= step:
        step = user.totp_last_step + 1
    return pyotp.TOTP(user.totp_secret).generate_otp(step)


def login(client, user, password: str = factories.DEFAULT_PASSWORD):
    """The real browser sign-in: the form with its CSRF token, the password, then the TOTP code
    when the user has one. Afterwards every request of `client` carries the session cookie and
    the X-CSRF-Token header, ready for the JSON API. Returns `client`."""
    response = client.post("/sign-in", data={"email": user.email, "password": password,
                                              "csrf_token": csrf_of(client)})
    assert response.status_code == 303, response.get_data(as_text=True)
    if "/sign-in/two-factor" in response.headers["Location"]:
        response = client.post("/sign-in/two-factor", data={
            "code": totp_code(user), "csrf_token": csrf_of(client)})
        assert response.status_code == 303, response.get_data(as_text=True)
    assert "/account/two-factor" not in response.headers["Location"], \
        "this user must enrol TOTP first (factories.user gives admins/coordinators a secret)"
    client.environ_base["HTTP_X_CSRF_TOKEN"] = csrf_of(client)
    return client


@pytest.fixture()
def signed_in_client(app, session):
    """signed_in_client(role="coordinator", organisation=None) -> (client, user): a new user
    of that role, signed in through the real pages on a client of its own."""
    def make(role: str = "coordinator", organisation=None, **overrides):
        account = factories.user(session, role=role, organisation=organisation, **overrides)
        return login(app.test_client(), account), account
    return make
