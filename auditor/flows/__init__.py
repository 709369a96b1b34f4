"""Flows: regulated data headed for a destination, found in request records, documents and code."""
