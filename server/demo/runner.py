"""Runs the demo steps in order with a progress bar."""
from __future__ import annotations

from importlib import import_module

import click

# (module, function) pairs; later issues append their steps.
LOAD_STEPS = [
    ("server.demo.places", "load_organisations"),
    ("server.demo.accounts", "load_accounts"),
    ("server.demo.places", "load_facilities"),
    ("server.demo.submissions", "load_submissions"),
]
# clear runs in this order (children before parents)
CLEAR_STEPS = [
    ("server.demo.submissions", "clear"),
    ("server.demo.accounts", "clear"),
    ("server.demo.places", "clear"),
]


def _progress(items, label):
    items = list(items)
    with click.progressbar(items, label=f"  {label:<24}", show_pos=True, file=None) as bar:
        yield from bar


def run(steps) -> None:
    for module, function in steps:
        getattr(import_module(module), function)(_progress)


def load() -> None:
    run(LOAD_STEPS)


def clear() -> None:
    run(CLEAR_STEPS)
