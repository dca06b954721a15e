"""Benchmarks: synthetic data at scale and load runs (run by hand; figures go to docs/BENCHMARKS.md)."""
