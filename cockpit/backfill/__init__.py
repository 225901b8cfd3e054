"""`cockpit backfill`: an incident log rebuilt from Prometheus history."""
