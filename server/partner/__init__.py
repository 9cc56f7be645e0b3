"""Partner data: the sharing policy (policy.py, applied in SQL to every output), the incremental
incident feed, exports, per-key rate limits and the audit of every partner call."""
