"""The simulated seed platform: scenario exporter and loopback fakes for Kubernetes and PagerDuty."""
