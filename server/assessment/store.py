"""How an assessment is kept on its visit (visits.dimensions, visits.red_flags, visits.ring)."""
from __future__ import annotations


def stored_dimensions(assessment: dict) -> dict:
    """visits.dimensions: the four dimensions with the assessment's version, the state
    responsible and the "derived from the earlier form" mark."""
    return {"version": assessment["version"], "state": assessment["state"],
            "derived_from_earlier_form": assessment["derived_from_earlier_form"],
            **assessment["dimensions"]}
