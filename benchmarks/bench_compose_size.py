"""Size of the generated docker-compose.yml, and of devenv's programs generated beside it.

Goals (issue): the bundled example at most 150 lines and 6,000 bytes; a project
scaffolded from the three templates (backend `api`, `worker` on Redis, frontend `web`,
PostgreSQL, Redis) at most 250 lines and 10,000 bytes; no text value in either longer
than 10 lines. Two cases, each run through `devenv generate` in a temp directory:

* example   - a copy of examples/shop (the repository is not written to);
* templates - `devenv init` + `devenv add dependency/service ...` as a user types them.

Per case: lines and bytes of docker-compose.yml, the longest text value in lines (every
string in the YAML data, keys aside) and where it is, and the files under
`.devenv/programs/` (devenv's programs, mounted into containers), counted and summed
apart from the compose file. DEVENV_* variables are unset, so the output is what a
user without a mirror or a CA setting gets.

Baseline, same run: the same two cases with the devenv of a git commit (default
050d74a), run from a `git worktree` of it in a temp directory (PYTHONPATH pointing at
it, its own templates and example), removed afterwards. No engine needed.
Results: benchmarks/results/compose_size.json.

    .venv/bin/python benchmarks/bench_compose_size.py [--baseline REF | --no-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from common import RESULTS, ROOT

GOALS = {
    "example": {"lines": 150, "bytes": 6000, "longest_value_lines": 10},
    "templates": {"lines": 250, "bytes": 10000, "longest_value_lines": 10},
}
DEFAULT_BASELINE = "050d74a"
PROGRAMS_DIR = ".devenv/programs"
PROJECT_NAME = "myapp"  # the templates case's project name (it appears in URLs, database and image names)
ENTRY = "import sys; from devenv.cli.app import main; sys.exit(main())"
SCAFFOLD = [
    ["add", "dependency", "postgres", "--version", "15"],
    ["add", "dependency", "redis", "--version", "7"],
    ["add", "service", "api", "--template", "backend"],
    ["add", "service", "worker", "--template", "worker", "--queue", "redis"],
    ["add", "service", "web", "--template", "frontend"],
]


# --------------------------------------------------------------------------- pure helpers


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads any local tag (`!reset`, `!override`, ...) as the plain node under it."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_Loader.add_multi_constructor("!", _any_tag)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass


def text_lines(text: str) -> int:
    """Lines of a text as an editor shows them (a final newline starts no new line)."""
    return len(text.splitlines())


def longest_value(data: Any, path: str = "") -> tuple[int, str]:
    """(lines, path) of the longest string value anywhere in the data; keys are not values.

    A one-line string counts 1, an empty one 0. The first of equally long values wins.
    """
    if isinstance(data, str):
        return text_lines(data), path
    children: list[tuple[str, Any]] = []
    if isinstance(data, dict):
        children = [(f"{path}.{key}" if path else str(key), value) for key, value in data.items()]
    elif isinstance(data, list):
        children = [(f"{path}[{i}]", value) for i, value in enumerate(data)]
    best = (0, "")
    for child_path, value in children:
        found = longest_value(value, child_path)
        if found[0] > best[0]:
            best = found
    return best


def program_files(root: Path) -> list[dict]:
    """Files under .devenv/programs/ (relative to it) with their sizes, sorted."""
    base = root / PROGRAMS_DIR
    if not base.is_dir():
        return []
    return [
        {"path": p.relative_to(base).as_posix(), "bytes": p.stat().st_size}
        for p in sorted(base.rglob("*"))
        if p.is_file()
    ]


def measure_text(text: str) -> dict:
    """Lines, bytes and the longest text value of a compose file's text."""
    lines, where = longest_value(load_yaml(text))
    return {
        "lines": text_lines(text),
        "bytes": len(text.encode()),
        "longest_value_lines": lines,
        "longest_value_at": where,
    }


def measure_project(root: Path) -> dict:
    """The figures of one generated project: its compose file and its program files."""
    programs = program_files(root)
    return {
        **measure_text((root / "docker-compose.yml").read_text(encoding="utf-8")),
        "program_files": len(programs),
        "program_bytes": sum(p["bytes"] for p in programs),
        "programs": programs,
    }


def check_goals(cases: dict[str, dict], goals: dict[str, dict] = GOALS) -> dict:
    """Per case and figure: the limit, the value and whether it is met; and met overall."""
    out: dict[str, Any] = {}
    for case, limits in goals.items():
        got = cases.get(case)
        out[case] = {
            key: {"limit": limit, "value": got.get(key) if got else None, "met": bool(got) and got[key] <= limit}
            for key, limit in limits.items()
        }
    out["met"] = all(check["met"] for case in goals for check in out[case].values())
    return out


def devenv_env(source: Path, templates: Path | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment to run the devenv of a source tree: PYTHONPATH at it, no DEVENV_* settings."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if not k.startswith("DEVENV_")}
    env["PYTHONPATH"] = str(source)
    if templates is not None:
        env["DEVENV_TEMPLATES"] = str(templates)
    return env


# --------------------------------------------------------------------------- running devenv


class Devenv:
    """The devenv of one source tree (this checkout, or a worktree of a commit), as a new process."""

    def __init__(self, source: Path, label: str, templates: Path | None = None):
        self.source = source
        self.label = label
        self.env = devenv_env(source, templates)
        self.cwd = Path(tempfile.gettempdir())  # not the checkout: sys.path[0] must not find another devenv
        where = self.python("import devenv; print(devenv.__file__)").strip()
        if not Path(where).resolve().is_relative_to(source.resolve()):
            raise RuntimeError(f"{label}: python imports devenv from {where}, not from {source}")

    def python(self, code: str, *args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-c", code, *args], cwd=self.cwd, env=self.env, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{self.label}: devenv {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr}")
        return proc.stdout

    def __call__(self, *args: object) -> str:
        return self.python(ENTRY, *map(str, args))


def example_case(devenv: Devenv, example: Path, parent: Path) -> dict:
    root = parent / "example" / example.name
    shutil.copytree(example, root, ignore=shutil.ignore_patterns("docker-compose.yml", ".devenv"))
    devenv("-C", root, "generate")
    return measure_project(root)


def templates_case(devenv: Devenv, parent: Path) -> dict:
    root = parent / "templates" / PROJECT_NAME
    root.parent.mkdir(parents=True)
    devenv("init", root, "--name", PROJECT_NAME)
    for args in SCAFFOLD:
        devenv("-C", root, *args)
    devenv("-C", root, "generate")
    return measure_project(root)


def measure_source(devenv: Devenv, example: Path) -> dict[str, dict]:
    with tempfile.TemporaryDirectory(prefix=f"bench-compose-size-{devenv.label}-") as tmp:
        return {"example": example_case(devenv, example, Path(tmp)), "templates": templates_case(devenv, Path(tmp))}


def git(*args: str) -> str:
    proc = subprocess.run(["git", "--no-optional-locks", "-C", str(ROOT), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout.strip()


def baseline(ref: str) -> dict:
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-compose-size-worktree-"))
    tree = tmp / "devenv"
    git("worktree", "add", "--detach", str(tree), commit)
    try:
        devenv = Devenv(tree, "baseline", templates=tree / "service_templates")
        return {"ref": ref, "commit": commit, "cases": measure_source(devenv, tree / "examples" / "shop")}
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help=f"git ref to compare with ({DEFAULT_BASELINE})")
    parser.add_argument("--no-baseline", action="store_true", help="measure this checkout only")
    args = parser.parse_args()

    cases = measure_source(Devenv(ROOT, "current"), ROOT / "examples" / "shop")
    goals = check_goals(cases)
    out: dict[str, Any] = {
        "benchmark": "compose_size",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "source": {
            "commit": git("rev-parse", "HEAD"),
            "uncommitted_changes": bool(git("status", "--porcelain", "--", "devenv", "service_templates", "examples")),
        },
        "templates_project": {"name": PROJECT_NAME, "commands": [" ".join(a) for a in SCAFFOLD]},
        "cases": cases,
        "baseline": None,
        "goals": {case: goals[case] for case in GOALS},
        "met": goals["met"],
    }
    if not args.no_baseline:
        try:
            out["baseline"] = baseline(args.baseline)
        except RuntimeError as exc:
            out["baseline"] = {"ref": args.baseline, "error": str(exc)[-2000:]}
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "compose_size.json"
    path.write_text(json.dumps(out, indent=2) + "\n")

    print(f"{'case':10} {'devenv':9} {'lines':>6} {'bytes':>7} {'longest':>8} {'programs':>9} {'prog bytes':>10}")
    rows = [("current", cases)]
    if out["baseline"] and "cases" in out["baseline"]:
        rows.append((out["baseline"]["commit"][:7], out["baseline"]["cases"]))
    for case in GOALS:
        for label, measured in rows:
            got = measured[case]
            print(
                f"{case:10} {label:9} {got['lines']:6} {got['bytes']:7} {got['longest_value_lines']:8} "
                f"{got['program_files']:9} {got['program_bytes']:10}"
            )
    for case, limits in GOALS.items():
        verdict = "met" if all(c["met"] for c in goals[case].values()) else "NOT met"
        longest = cases[case]["longest_value_at"]
        print(f"goal {case}: {verdict} {limits} (longest value: {longest or '-'})")
    if out["baseline"] and "error" in out["baseline"]:
        print(f"baseline {args.baseline}: failed: {out['baseline']['error'][-300:]}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
