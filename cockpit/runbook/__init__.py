"""Runbooks: the alert catalog, Markdown runbook parsing, validation and step execution."""
