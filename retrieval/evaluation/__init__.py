"""Evaluation: quality figures on question sets, and the fitting of thresholds and weights."""
