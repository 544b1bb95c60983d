"""Benchmarks: python -m bench (writes bench/results.md)."""
