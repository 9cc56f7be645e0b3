"""A short transaction of its own, apart from the request's `db.session`.

Bookkeeping done on the way in or out of a request (opening a browser session, noting when a
token was last used, saving session data after the view) must neither commit nor roll back
whatever the view left in `db.session`, nor break a response that is still streaming from it.
"""
from __future__ import annotations

from contextlib import contextmanager

from flask import current_app
from sqlalchemy import text
from sqlalchemy.orm import Session


@contextmanager
def side_transaction():
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
