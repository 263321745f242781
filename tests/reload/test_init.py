"""devenv/reload/__init__.py: the files devenv ships into containers, and their digest."""

from __future__ import annotations

import ast
import sys

from devenv.reload import RELOADER_DIR, reloader_digest, reloader_files

from .conftest import ship


def test_the_files_are_every_module_of_the_package_and_no_cache(tmp_path):
    files = reloader_files()
    assert list(files) == sorted(files)
    assert set(files) == {path.name for pattern in ("*.py", "*.txt") for path in RELOADER_DIR.glob(pattern)}
    assert {"__init__.py", "__main__.py", "cli.py", "preload.txt"} <= set(files)
    copy = ship(tmp_path / "copy")
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "stale.py").write_text("x = 1\n")
    (copy / "notes.md").write_text("not shipped\n")
    assert reloader_files(copy) == files


def test_the_digest_follows_names_and_contents(tmp_path):
    digest = reloader_digest()
    assert len(digest) == 16 and set(digest) <= set("0123456789abcdef")
    copy = ship(tmp_path / "copy")
    assert reloader_digest(copy) == digest  # where the files are does not count
    (copy / "cli.py").write_text((copy / "cli.py").read_text() + "\n# edited\n")
    edited = reloader_digest(copy)
    assert edited != digest
    (copy / "cli.py").rename(copy / "cli2.py")
    assert reloader_digest(copy) not in (digest, edited)


def test_the_files_import_only_the_standard_library_and_each_other_relatively():
    """They run in the service's container, without devenv, on Python 3.9 or later."""
    for name, text in reloader_files().items():
        tree = ast.parse(text, name, feature_version=(3, 9))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                continue
            outside = [m for m in modules if m.split(".")[0] not in sys.stdlib_module_names]
            assert not outside, f"{name}:{node.lineno} imports {outside}"
