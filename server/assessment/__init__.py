"""The assessment of a visit: four dimensions rated 1-4 by the monitor (or "insufficient
evidence"), with their coverage and evidence, the indicators beside them, and red flags shown
apart. There is no overall grade. See README "The monitoring method"."""
from .assess import assess_visit
from .vocabulary import DIMENSIONS, EVIDENCE_KINDS, RATINGS, STATES, ring_of, state_of_country

__all__ = ["DIMENSIONS", "EVIDENCE_KINDS", "RATINGS", "STATES", "assess_visit", "ring_of",
           "state_of_country"]
