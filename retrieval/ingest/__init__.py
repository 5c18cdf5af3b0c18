"""Ingest: read the corpus folder and cut its documents into passages of whole sentences."""
