"""devenv: one small spec to a docker-compose.yml, a running environment and Kubernetes manifests."""

__version__ = "0.1.0"
