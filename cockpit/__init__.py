"""Incident cockpit: a terminal cockpit for on-call engineers around a hash-chained log."""

__version__ = "0.1.0"
