"""Run the reloader: ``python -m devenv.reload ...`` on the host, or, in a container, the
package's directory as a script: ``python /devenv/reload serve ...`` / ``python /devenv/reload run ...``.

Run as a directory, this file is __main__ outside any package (relative imports fail) and
Python put the directory itself first on sys.path, where the reloader's module names (files,
server, ...) would shadow the app's. So: the directory's parent goes first on sys.path
instead (the supervisor takes it off again before it imports anything else), and the package
is imported by its directory name, whatever that is."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable


def entry_point() -> Callable[[], int]:
    """The reloader's main()."""
    if __package__:  # python -m devenv.reload
        from .cli import main

        return main
    here = os.path.dirname(os.path.abspath(__file__))
    parent = os.path.dirname(here)
    sys.path[:] = [parent] + [p for p in sys.path if not p or os.path.abspath(p) != here]
    cli = importlib.import_module(os.path.basename(here) + ".cli")
    package_main: Callable[[], int] = cli.main
    return package_main


if __name__ == "__main__":
    sys.exit(entry_point()())
