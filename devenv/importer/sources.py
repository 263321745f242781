"""The compose files of a project: which ones Compose reads, what it makes of them, where they go after import.

Compose is asked, never imitated: :class:`ComposeReader` runs ``docker compose config
--format json`` on the files (every profile enabled), once as Compose runs the project
and once without interpolation, which tells which values came from ``.env`` or the
environment and which ``env_file`` entries a service reads.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from devenv.errors import UsageError
from devenv.runtime.compose_cli import ComposeCLI, compose_env

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)
ORIGINAL = "original"
_MISSING_ENV_FILE = re.compile(r"env file (?P<path>.+?) not found")


class ComposeInputError(UsageError):
    """Compose cannot read the project: one line, the files and Compose's own message."""


@dataclass(frozen=True)
class Sources:
    """The compose files of one import, absolute, in Compose's order, and how they were chosen."""

    root: Path
    files: tuple[Path, ...]
    how: str  # "default names", "-f", "COMPOSE_FILE"

    def names(self) -> list[str]:
        """The files relative to the project directory, for messages."""
        return [display(path, self.root) for path in self.files]


def display(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when inside it, else as it is."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def dotenv(root: Path) -> dict[str, str]:
    """The variables of the project's ``.env`` (what Compose reads for interpolation), or {}."""
    from devenv.export import parse_env_file

    path = root / ".env"
    try:
        return parse_env_file(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, UnicodeDecodeError):
        return {}


def find_sources(root: Path, files: list[str]) -> Sources:
    """The files Compose reads for the project at ``root``: ``-f`` files, else COMPOSE_FILE, else the defaults."""
    if files:
        paths = tuple((root / name).resolve() if not Path(name).is_absolute() else Path(name) for name in files)
        missing = [name for name, path in zip(files, paths, strict=True) if not path.is_file()]
        if missing:
            raise ComposeInputError(f"{missing[0]}: no such file", hint="name a compose file with -f FILE")
        return Sources(root, paths, "-f")
    listed = os.environ.get("COMPOSE_FILE") or dotenv(root).get("COMPOSE_FILE")
    if listed:
        separator = os.environ.get("COMPOSE_PATH_SEPARATOR") or dotenv(root).get("COMPOSE_PATH_SEPARATOR") or os.pathsep
        names = [name for name in listed.split(separator) if name]
        return Sources(root, find_sources(root, names).files, "COMPOSE_FILE")
    found = [root / name for name in DEFAULT_FILES if (root / name).is_file()]
    if not found:
        raise ComposeInputError(
            f"no compose file in {root} ({', '.join(DEFAULT_FILES)})",
            hint="run devenv import in the project's directory, or name the files with -f FILE",
        )
    overrides = [root / name for name in OVERRIDE_FILES if (root / name).is_file()]
    return Sources(root, (found[0], *overrides[:1]), "default names")


@dataclass
class ComposeReader:
    """`docker compose config` for one import."""

    cli: ComposeCLI
    missing_env_files: list[str] = field(default_factory=list)

    @classmethod
    def locate(cls, root: Path) -> ComposeReader:
        """Find `docker compose` (EngineError when it is missing or too old)."""
        return cls(ComposeCLI.locate(root, root / DEFAULT_FILES[0]))

    @property
    def version(self) -> str:
        """Compose's version, ``2.40.3``."""
        return ".".join(map(str, self.cli.version))

    def config(
        self,
        files: tuple[Path, ...],
        *,
        project_dir: Path | None = None,
        interpolate: bool = True,
        optional_env_files: dict[str, list[dict[str, Any]]] | None = None,
        shown: str = "",
    ) -> dict[str, Any]:
        """What Compose makes of ``files`` (every profile on), as data; ComposeInputError when it cannot read them.

        ``optional_env_files``: per service, its ``env_file`` list to use instead (missing files made optional).
        Compose's JSON writer fails on a few values its YAML writer can say (``build.ssh``): then YAML it is.
        Its JSON also leaves out a service's own ``x-`` keys, which its YAML keeps: they are taken from there.
        """
        runs = self._run(files, project_dir, interpolate, optional_env_files, ("json", "yaml"))
        where = shown or str(files[0])
        code, out, err = runs["json"]
        if code != 0 and "MarshalJSON" not in err:
            raise ComposeInputError(f"{where}: {compose_message(err or out, files)}")
        yaml_code, yaml_out, yaml_err = runs["yaml"]
        if code != 0:
            if yaml_code != 0:
                raise ComposeInputError(f"{where}: {compose_message(yaml_err or yaml_out, files)}")
            return _parse(yaml_out, "yaml", where)
        data = _parse(out, "json", where)
        if yaml_code == 0:
            extended = _parse(yaml_out, "yaml", where)
            for name, service in (data.get("services") or {}).items():
                other = (extended.get("services") or {}).get(name)
                if isinstance(service, dict) and isinstance(other, dict):
                    service.update({k: v for k, v in other.items() if str(k).startswith("x-")})
        return data

    def _run(
        self,
        files: tuple[Path, ...],
        project_dir: Path | None,
        interpolate: bool,
        optional_env_files: dict[str, list[dict[str, Any]]] | None,
        forms: tuple[str, ...],
    ) -> dict[str, tuple[int, str, str]]:
        """`docker compose config` once per output form, side by side: {form: (exit code, stdout, stderr)}."""
        with tempfile.TemporaryDirectory(prefix="devenv-import-") as tmp:
            argv = [self.cli.docker, "compose"]
            for path in files:
                argv += ["-f", str(path)]
            if optional_env_files:
                override = Path(tmp) / "optional-env-files.yml"
                override.write_text(_override_text(optional_env_files), encoding="utf-8")
                argv += ["-f", str(override)]
            if project_dir is not None:
                argv += ["--project-directory", str(project_dir)]
            argv += ["--profile", "*", "config"] + ([] if interpolate else ["--no-interpolate"])
            procs: dict[str, subprocess.Popen[str]] = {}
            out: dict[str, tuple[int, str, str]] = {}
            try:
                for form in forms:
                    procs[form] = subprocess.Popen(
                        [*argv, "--format", form],
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        stdin=subprocess.DEVNULL,
                        text=True,
                        env=compose_env(),
                    )
                for form, proc in procs.items():
                    stdout, stderr = proc.communicate(timeout=120)
                    out[form] = (proc.returncode, stdout, stderr)
            except (OSError, subprocess.TimeoutExpired) as exc:
                for proc in procs.values():
                    proc.kill()
                    proc.wait()
                raise ComposeInputError(f"{files[0]}: docker compose config did not run ({exc})") from None
        return out

    def read(self, sources: Sources) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """(Compose's normalised project, the same without interpolation or None when Compose cannot say it).

        An ``env_file`` that does not exist (a git-ignored ``.env``) is read as optional, and
        named in :attr:`missing_env_files`: the rest of the project still imports.
        """
        shown = ", ".join(sources.names())
        try:
            raw: dict[str, Any] | None = self.config(sources.files, interpolate=False, shown=shown)
        except ComposeInputError:
            raw = None
        try:
            return self.config(sources.files, shown=shown), raw
        except ComposeInputError as exc:
            if raw is None or not _MISSING_ENV_FILE.search(exc.message):
                raise
        optional = optional_env_files(raw)
        self.missing_env_files = sorted(
            {display(Path(str(item["path"])), sources.root) for items in optional.values() for item in items
             if not item.get("required", True) and not Path(str(item["path"])).exists()}
        )  # fmt: skip
        return self.config(sources.files, optional_env_files=optional, shown=shown), raw


def _parse(text: str, form: str, where: str) -> dict[str, Any]:
    """Compose's output as data (its YAML read as YAML 1.2, as Compose writes it)."""
    try:
        data = json.loads(text) if form == "json" else YAML(typ="safe", pure=True).load(text)
    except (ValueError, YAMLError) as exc:
        raise ComposeInputError(f"{where}: docker compose config wrote no {form} ({exc})") from None
    if not isinstance(data, dict):
        raise ComposeInputError(f"{where}: docker compose config wrote no project")
    return data


def optional_env_files(raw: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Per service of an uninterpolated project, its env_file entries with the missing ones made optional."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, service in (raw.get("services") or {}).items():
        entries = service.get("env_file") if isinstance(service, dict) else None
        if not isinstance(entries, list):
            continue
        fixed = []
        changed = False
        for entry in entries:
            item = dict(entry) if isinstance(entry, dict) else {"path": str(entry)}
            if not Path(str(item.get("path", ""))).exists() and item.get("required", True):
                item["required"] = False
                changed = True
            fixed.append(item)
        if changed:
            out[name] = fixed
    return out


def _override_text(entries: dict[str, list[dict[str, Any]]]) -> str:
    """A compose file that replaces (``!override``) each named service's env_file list."""
    lines = ["services:"]
    for name, items in entries.items():
        lines.append(f"  {json.dumps(name)}:")
        lines.append(f"    env_file: !override {json.dumps(items)}")
    return "\n".join(lines) + "\n"


def compose_message(text: str, files: tuple[Path, ...]) -> str:
    """Compose's error, on one line, with the project directory left out of paths."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and "level=warning" not in line]
    message = " ".join(lines) or "docker compose config failed"
    for directory in sorted({str(path.parent) for path in files}, key=len, reverse=True):
        message = message.replace(directory + "/", "")
    return message


def moved_name(path: Path) -> Path:
    """Where an original compose file goes: ``docker-compose.yml`` -> ``docker-compose.original.yml``
    (``.original-2.yml``... when that is taken); Compose never reads that name by itself."""
    stem, suffix = path.name.rsplit(".", 1)
    for index in range(1, 1000):
        mark = ORIGINAL if index == 1 else f"{ORIGINAL}-{index}"
        candidate = path.with_name(f"{stem}.{mark}.{suffix}")
        if not candidate.exists():
            return candidate
    raise UsageError(f"{path}: too many earlier originals beside it")


def files_to_move(sources: Sources) -> list[Path]:
    """Every file Compose would read by itself once the import is done (default and override names in the
    project directory, and the sources that have such names): they all make way for the generated file."""
    out = [sources.root / name for name in (*DEFAULT_FILES, *OVERRIDE_FILES) if (sources.root / name).is_file()]
    out += [path for path in sources.files if path.name in (*DEFAULT_FILES, *OVERRIDE_FILES) and path not in out]
    return out
