"""`python -m devenv`."""

from devenv.cli.app import main

raise SystemExit(main())
