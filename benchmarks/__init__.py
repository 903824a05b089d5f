"""Benchmarks of licensebot against baselines measured in the same run (see README)."""
