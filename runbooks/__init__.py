"""Runbooks and the alert catalog, shipped as data (installed as cockpit.runbooks)."""
