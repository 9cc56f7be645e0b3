"""Benchmarks with their data generators (see bench/generate.py, bench/map.py)."""
