"""The simulated seed platform: scenario exporter, Kubernetes and PagerDuty fakes."""
