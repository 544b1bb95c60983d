"""Benchmarks: python -m bench (writes bench/results.md), python -m bench.<topic> (one tab's speed),
python -m bench.load (a class's load). What they share lives in bench/common.py."""
