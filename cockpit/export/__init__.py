"""Exports rendered from the incident log: post-mortem and status-page history."""
