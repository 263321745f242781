"""Stage two: pure functions from a loaded project to data (compose, Kubernetes)."""
