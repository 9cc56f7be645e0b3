"""Helpers for the partner tests that need real connections and commits (GDAL, OWSLib, rate
limits whose refusals are audited from a transaction of their own)."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.orm import Session


@contextmanager
def committed(url: str):
    """A session whose work is committed for real (for data a live server must see)."""
    engine = create_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.commit()
    engine.dispose()
