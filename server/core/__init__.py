"""Cross-cutting pieces with exactly one home each. Imports no feature package."""
