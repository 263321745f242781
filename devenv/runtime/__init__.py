"""Stage three: drive the Docker Engine and the Compose CLI. Never parses YAML."""
