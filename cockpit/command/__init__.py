"""Incident command: clocks, escalation ladder, checklist, PagerDuty and status page."""
