"""Runbook step executors, one module per kind, and the runner applying the safety policy."""
