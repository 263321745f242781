"""`devenv check`: every check a service declares (tests, style, types, outdated and vulnerable
dependencies, licences, integration tests), run inside its dev image (docs/checks.md)."""
