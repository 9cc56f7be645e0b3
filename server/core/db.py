"""Database engine and the per-app-context session."""
from __future__ import annotations

from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Database:
    """`db.session` is one Session per app context, closed at teardown."""

    def init_app(self, app: Flask) -> None:
        engine = create_engine(
            app.config["DATABASE_URL"],
            pool_size=app.config["DB_POOL_SIZE"],
            max_overflow=app.config["DB_POOL_SIZE"],
            pool_pre_ping=True,
        )
        app.extensions["nezarat.db"] = {
            "engine": engine,
            "sessionmaker": sessionmaker(engine, expire_on_commit=False),
        }
        app.teardown_appcontext(self._close)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["nezarat.db"]["engine"]

    def bind_sessions_to(self, app: Flask, connection) -> None:
        """Tests: every session of `app` joins the outer transaction of `connection`."""
        app.extensions["nezarat.db"]["sessionmaker"] = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["nezarat.db"]["sessionmaker"]()
        return g.db_session

    @staticmethod
    def driver(session: Session):
        """The psycopg connection under `session`'s transaction (`%(name)s` parameters). For
        the few statements run many times a second (submissions, token checks), where
        SQLAlchemy's work per statement costs more than the statement itself."""
        transaction = session.get_transaction()
        known = session.info.get("nezarat.driver")
        if transaction is not None and known is not None and known[0] is transaction:
            return known[1]  # same transaction, same connection
        connection = session.connection().connection.driver_connection
        session.info["nezarat.driver"] = (session.get_transaction(), connection)
        return connection

    @staticmethod
    def _close(exc) -> None:
        session = g.pop("db_session", None)
        if session is None:
            return
        try:
            if exc is not None:
                session.rollback()
            session.close()
        except (OperationalError, InterfaceError):
            # The database went away under the request (killed, restarted): rolling back on
            # the dead connection fails. Drop it (the pool opens a new one) and leave the
            # answer as it was decided: a teardown error would replace it with a bare 500.
            session.invalidate()


db = Database()



class Binder:
    """The one way a statement built in Python takes its values: `bind(value)` stores the value
    and returns its placeholder, so nothing a caller sent is ever written into SQL text.
    `style`: "psycopg" (`%(p0)s`, the driver path) or "text" (`:p0`, SQLAlchemy's text())."""

    FORMATS = {"psycopg": "%({})s", "text": ":{}"}

    def __init__(self, style: str = "psycopg"):
        self.params: dict = {}
        self._format = self.FORMATS[style]

    def __call__(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return self._format.format(name)

    bind = __call__

@contextmanager
def side_transaction():
    """A short transaction of its own, apart from the request's `db.session`.

    Bookkeeping on the way in or out of a request (opening a browser session, noting when a
    token was last used, counting a partner's calls) must neither commit nor roll back what the
    view left in `db.session`, nor break a response that is still streaming from it."""
    session: Session = current_app.extensions["nezarat.db"]["sessionmaker"]()
    try:
        # Never wait long on a row the request itself may hold: fail instead of hanging.
        session.execute(text("SET LOCAL lock_timeout = '5s'"))
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
