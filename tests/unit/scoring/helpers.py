"""Score one indicator or one area with everything else left unobserved."""
from __future__ import annotations

from server.scoring import score_visit
from server.scoring.standards import indicators

ADULT_MEN = {"women": 0, "men": 100, "girls": 0, "boys": 0, "unaccompanied": 0}


def people(n: int) -> dict:
    return {"women": 0, "men": n, "girls": 0, "boys": 0, "unaccompanied": 0}


def score(observations=None, kind="detention_centre", capacity=None, headcounts=None,
          room_area=None, access=None) -> dict:
    return score_visit(observations or {}, kind, capacity, headcounts or {}, room_area, access)


def entry(code: str, **kwargs) -> dict | None:
    area = indicators()[code].area
    return score(**kwargs)["areas"][area]["indicators"].get(code)


def result(code: str, **kwargs) -> str:
    found = entry(code, **kwargs)
    return found["result"] if found else "not_observed"
