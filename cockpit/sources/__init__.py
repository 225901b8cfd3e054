"""Data sources: each poll() has an explicit deadline and returns normalised observations."""
