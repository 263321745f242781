"""Compose's normalised values, tidied for devenv.yaml: literal texts, relative paths, short syntax. Pure.

``docker compose config --format json`` writes every text with ``$`` escaped (``$$``),
paths absolute, ports and volumes in their long form and the defaults it adds itself.
What is written to devenv.yaml should read as a person would write it and mean exactly
the same to Compose: the self-check of :mod:`devenv.importer.refine` compares what
Compose makes of both, and falls back to the long form (:func:`literal_value`) for a key
whose tidy form does not come out the same.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

SHORT_BIND = {"create_host_path": True}


@dataclass(frozen=True)
class Where:
    """What tidying needs to know: the project directory and the old and new project names."""

    root: str  # absolute, POSIX
    original_project: str
    project: str


def unescape(value: Any) -> Any:
    """Compose's escaped texts (``$$``) as the literal values devenv.yaml holds."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, dict):
        return {key: unescape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unescape(item) for item in value]
    return value


def relative(path: str, where: Where, *, dot: bool = True) -> str:
    """An absolute path in (or beside) the project as Compose reads it relative to the project: ``./api``."""
    if not path.startswith("/"):
        return path
    root = PurePosixPath(where.root)
    target = PurePosixPath(posixpath.normpath(path))
    for base, prefix in ((root, ""), (root.parent, "../")):
        if target == base:
            return prefix.rstrip("/") or "."
        if base in target.parents:
            rel = prefix + target.relative_to(base).as_posix()
            return rel if rel.startswith("../") or not dot else f"./{rel}"
    return path


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        out = {key: _drop_empty(item) for key, item in value.items()}
        return {key: item for key, item in out.items() if item != {}}
    return value


def short_port(port: dict[str, Any]) -> Any:
    """A long-form port as ``[ip:][published:]target[/protocol]`` when that says all of it."""
    if set(port) - {"mode", "host_ip", "target", "published", "protocol"} or port.get("mode", "ingress") != "ingress":
        return port
    text = str(port["target"])
    published = str(port.get("published") or "")
    host_ip = str(port.get("host_ip") or "")
    if host_ip:
        ip = f"[{host_ip}]" if ":" in host_ip else host_ip
        text = f"{ip}:{published}:{text}"
    elif published:
        text = f"{published}:{text}"
    protocol = port.get("protocol", "tcp")
    return text if protocol == "tcp" else f"{text}/{protocol}"


def short_volume(volume: dict[str, Any], where: Where) -> Any:
    """A long-form mount as ``source:target[:ro]`` when Compose reads that back the same."""
    kind = volume.get("type")
    options = ["ro"] if volume.get("read_only") else []
    extra = set(volume) - {"type", "source", "target", "read_only", "bind", "volume"}
    if kind == "bind" and not extra and volume.get("bind") == SHORT_BIND and "volume" not in volume:
        source = relative(str(volume["source"]), where)
        return ":".join([source, str(volume["target"]), *options])
    if kind == "volume" and not extra and "bind" not in volume and set(volume.get("volume", {})) <= {"nocopy"}:
        if "volume" not in volume:
            return volume
        if volume["volume"].get("nocopy"):
            options.append("nocopy")
        if "source" not in volume:
            return volume["target"] if not options else volume
        return ":".join([str(volume["source"]), str(volume["target"]), *options])
    out = dict(volume)
    if kind == "bind" and "source" in out:
        out["source"] = relative(str(out["source"]), where)
    return out


def _env_file(entry: Any, where: Where) -> Any:
    if isinstance(entry, dict) and set(entry) <= {"path", "required"} and entry.get("required", True):
        return relative(str(entry["path"]), where)
    if isinstance(entry, dict) and "path" in entry:
        return {**entry, "path": relative(str(entry["path"]), where)}
    return entry


def _build(build: dict[str, Any], where: Where) -> dict[str, Any]:
    out = dict(build)
    if isinstance(out.get("context"), str):
        out["context"] = relative(out["context"], where)
    if isinstance(out.get("dockerfile"), str) and out["dockerfile"].startswith("/"):
        out["dockerfile"] = relative(out["dockerfile"], where)
    if isinstance(out.get("ssh"), list):  # Compose's YAML says `id: /path` for what is read back as `id=path`
        out["ssh"] = [_ssh(item, where) for item in out["ssh"]]
    contexts = out.get("additional_contexts")
    if isinstance(contexts, dict):
        out["additional_contexts"] = {k: relative(v, where) if isinstance(v, str) else v for k, v in contexts.items()}
    return out


def _ssh(item: Any, where: Where) -> Any:
    match = re.fullmatch(r"([^=:\s]+)(?:=|: )(.+)", item) if isinstance(item, str) else None
    return f"{match.group(1)}={relative(match.group(2), where)}" if match else item


def _depends_on(depends: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, entry in depends.items():
        if isinstance(entry, dict):
            entry = {k: v for k, v in entry.items() if not (k == "required" and v is True)}
        out[name] = entry
    return out


def literal_value(key: str, value: Any, where: Where) -> Any:
    """A service key's value with literal texts and relative paths, otherwise as Compose wrote it."""
    value = unescape(value)
    if key == "build" and isinstance(value, dict):
        return _build(value, where)
    if key == "volumes" and isinstance(value, list):
        return [
            {**item, "source": relative(str(item["source"]), where)}
            if isinstance(item, dict) and item.get("type") == "bind" and "source" in item
            else item
            for item in value
        ]
    if key == "env_file" and isinstance(value, list):
        return [_env_file(item, where) for item in value]
    if key == "develop" and isinstance(value, dict) and isinstance(value.get("watch"), list):
        watch = [
            {**rule, "path": relative(str(rule["path"]), where)} if isinstance(rule, dict) and "path" in rule else rule
            for rule in value["watch"]
        ]
        return {**value, "watch": watch}
    return value


def tidy_value(key: str, value: Any, where: Where) -> Any:
    """A service key's value as a person would write it (short ports and mounts, no defaults)."""
    value = literal_value(key, value, where)
    if key == "ports" and isinstance(value, list):
        return [short_port(item) if isinstance(item, dict) else item for item in value]
    if key == "volumes" and isinstance(value, list):
        return [short_volume(item, where) if isinstance(item, dict) else item for item in value]
    if key == "depends_on" and isinstance(value, dict):
        return _depends_on(value)
    if key == "deploy" and isinstance(value, dict):
        return _drop_empty(value)
    return value


def tidy_top(section: str, entries: Any, where: Where) -> Any:
    """A top-level section (volumes, networks, secrets, configs) without the names and defaults Compose adds."""
    entries = unescape(entries)
    if not isinstance(entries, dict):
        return entries
    out: dict[str, Any] = {}
    for key, entry in entries.items():
        if not isinstance(entry, dict):
            out[key] = entry
            continue
        item = {k: v for k, v in entry.items() if not (k == "ipam" and v == {})}
        name = item.get("name")
        default = name == f"{where.original_project}_{key}" and where.original_project == where.project
        if default or (name == key and item.get("external")):
            item.pop("name")
        for path_key in ("file",):
            if isinstance(item.get(path_key), str):
                item[path_key] = relative(item[path_key], where)
        if section == "networks" and key == "default" and not item:
            continue  # the network Compose makes anyway
        out[key] = item
    return out
