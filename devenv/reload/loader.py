"""How a forked child imports the app's code: its directory first on sys.path, every module
compiled from source (never from __pycache__), directory listings fresh, and the reloader's
own modules out of the way."""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import sys
from typing import TYPE_CHECKING

from .files import under

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import CodeType

    PathHook = Callable[[str], importlib.machinery.FileFinder]


class NoCacheLoader(importlib.machinery.SourceFileLoader):
    """Compile the app's modules from source every time: a __pycache__ entry written for an
    earlier version with the same size in the same second would otherwise be used."""

    def get_code(self, fullname: str) -> CodeType:
        path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(path), path)


def code_path_hook(roots: list[str]) -> PathHook:
    """A sys.path hook for the directories under ``roots``: their modules load with NoCacheLoader."""
    loaders = [
        (importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES),
        (NoCacheLoader, importlib.machinery.SOURCE_SUFFIXES),
    ]

    def hook(path: str) -> importlib.machinery.FileFinder:
        absolute = os.path.abspath(path or ".")
        if under(absolute, roots) and os.path.isdir(absolute):
            return importlib.machinery.FileFinder(path, *loaders)
        raise ImportError("not code")

    return hook


def prepare_imports(app_dir: str, roots: list[str]) -> None:
    """In a fresh child: the code first on sys.path, compiled from source, directory listings fresh."""
    sys.path[:] = [app_dir] + [p for p in sys.path if p and os.path.abspath(p) != app_dir]
    sys.path_hooks.insert(0, code_path_hook([*roots, app_dir]))
    for key in list(sys.path_importer_cache):
        if not key or not os.path.isabs(key) or under(key, [*roots, app_dir]):
            sys.path_importer_cache.pop(key, None)
    importlib.invalidate_caches()
    forget_reloader()


def forget_reloader() -> None:
    """Drop the reloader's package from sys.modules (its code keeps running): in a container it is
    a top-level package named after its directory ("reload"), which must not shadow an app module
    of that name."""
    package = __name__.rpartition(".")[0]
    for name in list(sys.modules):
        if name == package or name.startswith(package + "."):
            del sys.modules[name]
