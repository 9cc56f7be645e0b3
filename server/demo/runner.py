"""Runs the demo steps in order with a progress bar."""
from __future__ import annotations

import inspect
from importlib import import_module

import click

from . import YEARS

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


def run(steps, **options) -> None:
    """Each step with `progress` and those of `options` it takes by name."""
    for module, function in steps:
        step = getattr(import_module(module), function)
        taken = inspect.signature(step).parameters
        step(_progress, **{name: value for name, value in options.items() if name in taken})


def load(years: float = YEARS) -> None:
    """`years`: how much synthetic history (server.demo.submissions)."""
    run(LOAD_STEPS, years=years)


def clear() -> None:
    run(CLEAR_STEPS)
