"""Textual screens of the cockpit (installed as cockpit.screens)."""
