"""Factories for the outside services' real client packages (PagerDuty, Kubernetes).

Each sets an explicit deadline and turns off the package's hidden retries. The live path,
the demo and the tests' loopback fakes all build their clients here; the packages are
imported inside the factories (they are heavy)."""
