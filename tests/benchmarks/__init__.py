"""Benchmarks, run by hand as modules (python -m tests.benchmarks.bench_submissions); pytest skips them."""
