"""Demo data: real places plus synthetic records, all flagged demo, loaded idempotently.

Each feature contributes a step (a function taking `progress`) to STEPS; `flask demo load` runs
them in order and `flask demo clear` runs CLEAR in order (children before parents).
"""

# Years of synthetic history `flask demo load` makes unless told (--years).
YEARS = 3
