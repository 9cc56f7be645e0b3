"""OGC API – Features for partners: a framework-free core (core.py) and a Flask adapter."""
