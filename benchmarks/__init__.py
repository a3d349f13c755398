"""Benchmarks of the archiver's components on real data."""
