"""Standards-based condition scores (indicator table in standards.csv, rules in score.py)."""
from .score import score_visit
from .standards import observation_errors

__all__ = ["observation_errors", "score_visit"]
