"""Typed settings behind `cockpit.config`: table models, secret rules, loading and checking."""
