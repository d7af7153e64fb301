"""Benchmarks on PostgreSQL with a million orders; run `python -m bench` (all) or one module."""
