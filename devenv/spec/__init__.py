"""Stage one: devenv.yaml into a validated model."""
