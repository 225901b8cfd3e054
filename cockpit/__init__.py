"""Incident cockpit: a terminal cockpit for on-call engineers, built on a hash-chained incident log."""

__version__ = "0.1.0"
