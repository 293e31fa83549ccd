"""Fictional reviews and data for the demo, tests and benchmarks."""
