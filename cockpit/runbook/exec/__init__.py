"""Runbook step executors, one module per kind; `runner` checks parameters, plans, executes."""
