#!/usr/bin/env python3
"""Which modules of devenv/ name a dependency kind in code, outside the kind's own home.

A module "names" a kind when a string literal that is not a docstring (f-string parts
included) contains the kind's name as a word. The kind's own package
(devenv/kinds/<kind>/) does not count. Usage: scripts/kind_mentions.py [ROOT]
Prints one line per kind: the count and the modules. Exit 1 when a kind is named by
more than --limit modules (default 2).
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path


def docstring_nodes(tree: ast.AST) -> set[int]:
    """ids of the Constant nodes that are docstrings."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def literals(path: Path) -> list[str]:
    """The module's string literals, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = docstring_nodes(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def main() -> int:
    """Count and print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("root", nargs="?", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--limit", type=int, default=2)
    args = parser.parse_args()
    package = Path(args.root) / "devenv"
    home_dir = package / "kinds"
    if home_dir.is_dir():
        kinds = sorted(p.name for p in home_dir.iterdir() if (p / "__init__.py").is_file())
    else:  # a tree from before devenv/kinds/: the three kinds it had
        kinds = ["postgres", "rabbitmq", "redis"]
    modules = {p: literals(p) for p in sorted(package.rglob("*.py"))}
    worst = 0
    for kind in kinds:
        word = re.compile(rf"(?<![\w-]){re.escape(kind)}(?![\w-])")
        home = package / "kinds" / kind
        naming = [
            str(p.relative_to(package.parent))
            for p, texts in modules.items()
            if home not in p.parents and any(word.search(text) for text in texts)
        ]
        worst = max(worst, len(naming))
        print(f"{kind}: {len(naming)} module(s) {' '.join(naming)}")
    return 1 if worst > args.limit else 0


if __name__ == "__main__":
    sys.exit(main())
