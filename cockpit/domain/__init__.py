"""Incident state and the pure fold that derives it from log events."""
