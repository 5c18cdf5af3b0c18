"""Benchmarks of seedbot: latency, cold start, indexing, memory and quality (`make bench`)."""
