"""Compare what `docker compose config --format json` makes of two compose projects, key by key. Pure.

Used by ``devenv import`` (to decide what to keep as raw compose keys, and for the
report's self-check) and by the tests (the original project against the generated one).
Both inputs are Compose's own normalised output, so Compose's defaults are the same on
both sides; what is compared is what Compose would run:

- ``equal``: the same value (images as Docker reads them: ``postgres`` is
  ``docker.io/library/postgres:latest``);
- ``extended``: a mapping the generated side only adds to (devenv's connection URLs in
  ``environment``, a health check's timing it sets, its ``dev.devenv.*`` labels), a
  health check that makes the same HTTP GET another way, or the same published ports
  bound to 127.0.0.1 where the original bound every address;
- ``added``: a key only the generated side has (devenv's health check, data volume, labels);
- ``differs`` and ``missing``: what did not carry over. These are the differences.

``renamed`` maps original service names to generated ones (devenv names are DNS labels):
references to a renamed service (``depends_on``, ``links``, ``network_mode``...) are
compared under the new name, and a network alias that keeps the old name reachable is
not counted as a change.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from devenv.importer.images import normal_image
from devenv.render.programs import PROGRAMS_DIR

Status = Literal["equal", "extended", "added", "differs", "missing"]
SAME: tuple[Status, ...] = ("equal", "extended")
DEVENV_LABELS = "dev.devenv."
TOP_SECTIONS = ("volumes", "networks", "secrets", "configs", "models")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "[::1]")
_URL = re.compile(r"^http://(?P<host>localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]):(?P<port>[0-9]{1,5})(?P<path>/[^\s'\"]*)$")
_CURL_FAIL = {"-f", "--fail", "--fail-with-body", "-fs", "-sf", "-fsS", "-sSf", "-fSs", "-fS", "-Sf", "-Ssf"}
_CURL_FLAGS = _CURL_FAIL | {"-s", "--silent", "-S", "--show-error", "-sS", "-Ss", "-L", "--location"}
_WGET_FLAGS = {"-q", "--quiet", "--spider", "-O-", "-qO-", "-O", "-", "/dev/null", "-qO", "--no-verbose"}
_SHELL_TAILS = (("||", "exit", "1"), ("||", "false"))


@dataclass(frozen=True)
class KeyComparison:
    """One key of one service (or one top-level entry) on both sides."""

    key: str
    status: Status
    original: Any = None
    generated: Any = None
    added: tuple[str, ...] = ()  # what a generated mapping adds (variable names, health check fields)
    changed: tuple[str, ...] = ()  # the sub-keys of a mapping that differ

    @property
    def same(self) -> bool:
        """True when Compose runs the same thing (equal, or only added to)."""
        return self.status in SAME

    def describe(self, width: int = 160) -> str:
        """``ports: original [...], generated [...]`` on one line, for reports."""
        if self.status == "missing":
            return f"{self.key}: not in the generated file (original {_short(self.original, width)})"
        if self.changed:
            parts = ", ".join(self.changed)
            before, after = _short(self.original, width), _short(self.generated, width)
            return f"{self.key}: {parts} differ (original {before}, now {after})"
        return f"{self.key}: original {_short(self.original, width)}, now {_short(self.generated, width)}"


@dataclass(frozen=True)
class ServiceComparison:
    """Every key of one original service against the generated service it became."""

    name: str
    generated_name: str | None
    keys: tuple[KeyComparison, ...] = ()

    @property
    def settings(self) -> int:
        """The original's keys (what could be lost)."""
        return sum(1 for key in self.keys if key.status != "added")

    @property
    def equivalent(self) -> int:
        """The original's keys that come out the same."""
        return sum(1 for key in self.keys if key.same)

    def differences(self) -> list[KeyComparison]:
        """Keys that differ or are missing."""
        return [key for key in self.keys if not key.same and key.status != "added"]

    def additions(self) -> list[KeyComparison]:
        """Keys only the generated side has, or mappings it adds to."""
        return [key for key in self.keys if key.status == "added" or (key.status == "extended" and key.added)]


@dataclass(frozen=True)
class Comparison:
    """Two whole projects: per service, and the top-level entries (``volumes.pgdata``, ``x-common``...)."""

    services: tuple[ServiceComparison, ...] = ()
    top: tuple[KeyComparison, ...] = ()
    added_services: tuple[str, ...] = ()

    def service(self, name: str) -> ServiceComparison:
        """The comparison of original service ``name``."""
        return next(s for s in self.services if s.name == name)

    @property
    def settings(self) -> int:
        """Every setting of the original: service keys and top-level entries."""
        return sum(s.settings for s in self.services) + sum(1 for key in self.top if key.status != "added")

    @property
    def equivalent(self) -> int:
        """The settings that come out the same."""
        return sum(s.equivalent for s in self.services) + sum(1 for key in self.top if key.same)

    def differences(self) -> list[tuple[str, KeyComparison]]:
        """(service or '' for the top level, key) of every difference."""
        out = [(s.name, key) for s in self.services for key in s.differences()]
        out += [("", key) for key in self.top if not key.same and key.status != "added"]
        return out


def compare_configs(
    original: dict[str, Any], generated: dict[str, Any], *, renamed: dict[str, str] | None = None
) -> Comparison:
    """Compare two outputs of `docker compose config --format json`."""
    renamed = dict(renamed or {})
    theirs = original.get("services") or {}
    ours = generated.get("services") or {}
    services = []
    for name, entry in theirs.items():
        target = renamed.get(name, name)
        mine = ours.get(target)
        if mine is None:
            keys = tuple(KeyComparison(k, "missing", v) for k, v in entry.items() if v is not None)
            services.append(ServiceComparison(name, None, keys))
            continue
        old_names = tuple(old for old, new in renamed.items() if new == target and old != new)
        keys = _compare_service(renamed_refs(entry, renamed), mine, old_names)
        services.append(ServiceComparison(name, target, keys))
    seen = {renamed.get(name, name) for name in theirs}
    added = tuple(name for name in ours if name not in seen)
    return Comparison(tuple(services), _compare_top(original, generated), added)


def compare_service(
    original: dict[str, Any], generated: dict[str, Any], old_names: tuple[str, ...] = ()
) -> tuple[KeyComparison, ...]:
    """Compare one service's normalised entries (``old_names``: network aliases that keep a renamed one's name)."""
    return _compare_service(original, generated, old_names)


def _compare_service(
    original: dict[str, Any], generated: dict[str, Any], old_names: tuple[str, ...]
) -> tuple[KeyComparison, ...]:
    out: list[KeyComparison] = []
    for key in sorted(set(original) | set(generated)):
        theirs = _norm(key, original.get(key), ())
        mine = _norm(key, generated.get(key), old_names)
        if theirs is None and mine is None:
            continue
        if theirs is None:
            out.append(KeyComparison(key, "added", None, mine))
        elif mine is None:
            out.append(KeyComparison(key, "missing", theirs, None))
        else:
            out.append(_compare_values(key, theirs, mine))
    return tuple(out)


def _compare_values(key: str, theirs: Any, mine: Any) -> KeyComparison:
    healthchecks = key == "healthcheck" and isinstance(theirs, dict) and isinstance(mine, dict)
    if healthchecks and same_http_check(theirs.get("test"), mine.get("test")):
        mine = {**mine, "test": theirs.get("test")}
    if theirs == mine:
        return KeyComparison(key, "equal", theirs, mine)
    if key == "ports" and isinstance(theirs, list) and isinstance(mine, list) and len(theirs) == len(mine):
        bound = [_on_loopback(left, right) for left, right in zip(theirs, mine, strict=True)]
        if all(bound) and any(right != left for left, right in zip(theirs, mine, strict=True)):
            return KeyComparison(key, "extended", theirs, mine, added=("127.0.0.1",))
    if key == "volumes" and isinstance(theirs, list) and isinstance(mine, list):
        programs = [item for item in mine if is_program_mount(item)]
        if programs and [item for item in mine if not is_program_mount(item)] == theirs:
            return KeyComparison(key, "extended", theirs, mine, added=tuple(_target(item) for item in programs))
    if isinstance(theirs, dict) and isinstance(mine, dict):
        changed = tuple(sorted(k for k in theirs if k not in mine or mine[k] != theirs[k]))
        if not changed:
            extra = tuple(sorted(k for k in mine if k not in theirs))
            return KeyComparison(key, "extended", theirs, mine, added=extra)
        return KeyComparison(key, "differs", theirs, mine, changed=changed)
    return KeyComparison(key, "differs", theirs, mine)


def _norm(key: str, value: Any, old_names: tuple[str, ...]) -> Any:
    """One side's value as compared: None for what Compose treats as unset."""
    if value is None:
        return None
    if key == "image" and isinstance(value, str):
        return normal_image(value)
    if key == "labels" and isinstance(value, dict):
        value = {k: v for k, v in value.items() if not str(k).startswith(DEVENV_LABELS)}
        return value or None
    if key == "networks" and isinstance(value, dict):
        return {name: _network(entry, old_names) for name, entry in value.items()}
    if key in ("init", "privileged", "read_only", "tty", "stdin_open") and value is False:
        return None
    return _drop_empty(value)


def _on_loopback(theirs: Any, mine: Any) -> bool:
    """The same published port, or the same one devenv binds to 127.0.0.1 where the original bound every address."""
    if theirs == mine:
        return True
    if not isinstance(theirs, dict) or not isinstance(mine, dict) or theirs.get("host_ip"):
        return False
    return mine.get("host_ip") == "127.0.0.1" and {k: v for k, v in mine.items() if k != "host_ip"} == theirs


def is_program_mount(item: Any) -> bool:
    """A bind mount of one of devenv's programs (``.devenv/programs/<name>``): the health probes, the reloader."""
    source = item.get("source") if isinstance(item, dict) else str(item).split(":", 1)[0]
    return isinstance(source, str) and f"/{PROGRAMS_DIR}/" in f"/{source.removeprefix('./')}"


def _target(item: Any) -> str:
    return str(item.get("target")) if isinstance(item, dict) else str(item).split(":")[1]


def _network(entry: Any, old_names: tuple[str, ...]) -> Any:
    if entry is None:
        return {}
    if isinstance(entry, dict) and isinstance(entry.get("aliases"), list):
        aliases = [alias for alias in entry["aliases"] if alias not in old_names]
        entry = {k: v for k, v in entry.items() if k != "aliases"} | ({"aliases": aliases} if aliases else {})
    return entry


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v != {}}
    if isinstance(value, list):
        return [_drop_empty(item) for item in value]
    return value


def renamed_refs(entry: dict[str, Any], renamed: dict[str, str]) -> dict[str, Any]:
    """The original entry with references to renamed services under their new names."""
    if not renamed:
        return entry
    out = dict(entry)

    def new(name: str) -> str:
        return renamed.get(name, name)

    if isinstance(out.get("depends_on"), dict):
        out["depends_on"] = {new(k): v for k, v in out["depends_on"].items()}
    if isinstance(out.get("links"), list):
        out["links"] = [_rename_ref(str(link), new) for link in out["links"]]
    for key in ("network_mode", "ipc", "pid"):
        value = out.get(key)
        if isinstance(value, str) and value.startswith("service:"):
            out[key] = "service:" + new(value.removeprefix("service:"))
    if isinstance(out.get("volumes_from"), list):
        out["volumes_from"] = [
            str(item) if str(item).startswith("container:") else _rename_ref(str(item), new)
            for item in out["volumes_from"]
        ]
    return out


def _rename_ref(text: str, new: Callable[[str], str]) -> str:
    """``name[:rest]`` with the name renamed."""
    name, sep, rest = text.partition(":")
    return new(name) + sep + rest


def _compare_top(original: dict[str, Any], generated: dict[str, Any]) -> tuple[KeyComparison, ...]:
    out: list[KeyComparison] = []
    theirs_project, ours_project = str(original.get("name", "")), str(generated.get("name", ""))
    for section in TOP_SECTIONS:
        theirs = original.get(section) or {}
        mine = generated.get(section) or {}
        for key in sorted(set(theirs) | set(mine)):
            left, right = _drop_empty(theirs.get(key)), _drop_empty(mine.get(key))
            if isinstance(left, dict) and isinstance(right, dict) and left.get("name") != right.get("name"):
                left, right = _top_entry(left, theirs_project, key), _top_entry(right, ours_project, key)
            dotted = f"{section}.{key}"
            if key not in theirs:
                out.append(KeyComparison(dotted, "added", None, right))
            elif key not in mine:
                out.append(KeyComparison(dotted, "missing", left, None))
            else:
                out.append(_compare_values(dotted, left, right))
    for key in sorted(k for k in set(original) | set(generated) if k.startswith("x-")):
        if key not in generated:
            out.append(KeyComparison(key, "missing", original[key], None))
        elif key not in original:
            out.append(KeyComparison(key, "added", None, generated[key]))
        else:
            out.append(_compare_values(key, original[key], generated[key]))
    return tuple(out)


def _top_entry(entry: dict[str, Any], project: str, key: str) -> dict[str, Any]:
    """A top-level entry whose name differs: its default name (``<project>_<key>``) said the same way on both sides."""
    if entry.get("name") == f"{project}_{key}":
        return {**entry, "name": f"<project>_{key}"}
    return entry


# --- HTTP health checks -------------------------------------------------------------------------


def http_check(test: Any) -> tuple[int, str] | None:
    """(port, path) when a health check's test is a plain HTTP GET of this container that fails on errors.

    ``curl -f[sS] http://localhost:8000/healthz [|| exit 1]``, ``wget -q --spider URL``, or
    devenv's own probe (``/devenv/health/http_probe.*``); anything more (headers, a method,
    a look at the body) is not.
    """
    if not isinstance(test, list) or not test or test[0] not in ("CMD", "CMD-SHELL"):
        return None
    if test[0] == "CMD-SHELL":
        if len(test) != 2 or not isinstance(test[1], str):
            return None
        try:
            words = shlex.split(test[1])
        except ValueError:
            return None
    else:
        words = [str(word) for word in test[1:]]
    for tail in _SHELL_TAILS:
        if tuple(words[-len(tail):]) == tail:
            words = words[: -len(tail)]
    if not words:
        return None
    program, *args = words
    urls = [arg for arg in args if _URL.match(arg)]
    if len(urls) != 1:
        return None
    rest = [arg for arg in args if arg != urls[0]]
    tool = program.rsplit("/", 1)[-1]
    if tool == "curl":
        if not set(rest) <= _CURL_FLAGS or _CURL_FAIL.isdisjoint(rest):
            return None  # without --fail, curl succeeds on any answer, 500 included
    elif tool == "wget":
        if not set(rest) <= _WGET_FLAGS:
            return None
    elif not (tool in ("sh", "python3", "node") and len(rest) == 1 and "/devenv/health/http_probe." in rest[0]):
        return None
    match = _URL.match(urls[0])
    assert match is not None
    port = int(match.group("port"))
    if not 1 <= port <= 65535:
        return None
    return port, match.group("path")


def same_http_check(theirs: Any, mine: Any) -> bool:
    """True when two health check tests make the same HTTP GET (port and path) of the container."""
    left, right = http_check(theirs), http_check(mine)
    return left is not None and left == right


def _short(value: Any, width: int) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 3] + "..."


__all__ = [
    "Comparison",
    "KeyComparison",
    "ServiceComparison",
    "compare_configs",
    "compare_service",
    "http_check",
    "is_program_mount",
    "renamed_refs",
    "same_http_check",
]
