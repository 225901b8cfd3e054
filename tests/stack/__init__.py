"""Real loopback servers for integration tests: PostgreSQL, Prometheus, Alertmanager, exporters."""
