"""Unbound extensions; create_app binds them (the flask-smorest Api is made per app there)."""
from .core.db import db

__all__ = ["db"]
