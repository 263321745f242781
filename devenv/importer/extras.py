"""Compose keys the spec now holds natively: ports, volumes, env_file, secrets, health commands, ... Pure.

From one service of Compose's normalised project, :func:`native_fields` fills the spec
fields of :mod:`devenv.spec.service_fields` where the value renders back to what Compose
read (:mod:`devenv.render.service_fields`): a list goes native whole or not at all (a raw
list replaces devenv's), and a shape the spec cannot say (a port range, a volume's
``nocopy``, a secret's mode) leaves the key to :mod:`devenv.importer.refine`, which keeps it
as a raw compose key. Whatever still differs after a round is made raw there too, so a
mapping here can only make the file shorter, never make it wrong.
"""

from __future__ import annotations

from typing import Any

from devenv.importer.clean import Where, relative, unescape
from devenv.importer.compare import http_check, is_program_mount
from devenv.render.compose import CA_SECRET, SERVICE_START_PERIOD, healthcheck
from devenv.spec.service_fields import CAPABILITY, DURATION, PROFILE, SECRET, VOLUME_NAME, duration_seconds

FIELDS = ("entrypoint", "user", "working_dir", "ports", "volumes", "secrets", "health_command", "health_timing",
          "build_args", "cap_add", "cap_drop", "profiles", "env_file")  # fmt: skip
_PORT_KEYS = {"mode", "target", "published", "protocol", "host_ip"}
_UNITS = (("g", 1024**3), ("m", 1024**2), ("k", 1024))
_TIMING = ("interval", "timeout", "retries", "start_period")
_DEVENV_TIMING: dict[str, Any] = {**healthcheck([], SERVICE_START_PERIOD)}  # what devenv renders anyway


def native_fields(
    spec: dict[str, Any],
    entry: dict[str, Any],
    where: Where,
    claimed: set[int],
    *,
    built: bool,
    top_secrets: dict[str, Any],
) -> list[str]:
    """Fill ``spec`` (a service's devenv.yaml entry) from ``entry``; returns the keys it took.

    ``claimed``: host ports already published by others (the spec refuses one port twice);
    ``top_secrets``: the project's top-level secrets as Compose read them.
    """
    taken: list[str] = []

    def put(key: str, value: Any) -> None:
        if value not in (None, [], {}):
            spec[key] = value
            taken.append(key)

    entrypoint = entry.get("entrypoint")
    if isinstance(entrypoint, list) and entrypoint and all(isinstance(word, str) for word in entrypoint):
        put("entrypoint", unescape(entrypoint))
    if isinstance(entry.get("user"), str) and entry["user"] and "$" not in entry["user"]:
        put("user", entry["user"])
    working_dir = entry.get("working_dir")
    if isinstance(working_dir, str) and working_dir.startswith("/") and "$" not in working_dir:
        put("working_dir", working_dir)
    put("ports", _ports(spec, entry, claimed))
    put("volumes", _volumes(entry, where))
    put("secrets", _secrets(entry, where, top_secrets))
    health = _health(spec, entry)
    if health:
        spec.update(health)
        taken.extend(health)
    if built:
        args = (entry.get("build") or {}).get("args")
        if isinstance(args, dict) and all(isinstance(v, str) for v in args.values()):
            put("build_args", unescape(args))
    for key, pattern in (("cap_add", CAPABILITY), ("cap_drop", CAPABILITY), ("profiles", PROFILE)):
        value = entry.get(key)
        if isinstance(value, list) and all(isinstance(v, str) and pattern.match(v) for v in value):
            put(key, list(value))
    return taken


def env_files(listed: Any, where: Where) -> list[Any] | None:
    """The uninterpolated ``env_file`` list as the spec says it (paths, ``{path, required: false}``), or None."""
    items = [listed] if isinstance(listed, str) else listed
    if not isinstance(items, list) or not items:
        return None
    out: list[Any] = []
    for item in items:
        if isinstance(item, str) and item and "$" not in item:
            out.append(relative(item, where))
        elif isinstance(item, dict) and set(item) <= {"path", "required"} and isinstance(item.get("path"), str):
            if "$" in item["path"] or item.get("required", True) not in (True, False):
                return None
            path = relative(item["path"], where)
            out.append(path if item.get("required", True) else {"path": path, "required": False})
        else:
            return None  # a format (env_file's ``format: raw``) the spec does not say
    return out


def used_natively(spec: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(named volumes, secrets) a service's native fields use: the top level need not say them raw."""
    volumes = {str(v.split(":", 1)[0]) for v in spec.get("volumes") or [] if isinstance(v, str) and v[0] not in "./~"}
    return volumes, set(spec.get("secrets") or {})


def _ports(spec: dict[str, Any], entry: dict[str, Any], claimed: set[int]) -> list[Any]:
    """Every port besides the one ``port``/``public`` renders, or none when one cannot be said."""
    ports = entry.get("ports") or []
    rest = list(ports)
    if spec.get("public"):  # the first TCP port is the public one, rendered first: it must be the first listed
        if not rest or not isinstance(rest[0], dict) or rest[0].get("target") != spec.get("port"):
            return []
        rest = rest[1:]
    out: list[Any] = []
    mine: set[int] = set()
    for port in rest:
        if not isinstance(port, dict) or not set(port) <= _PORT_KEYS or port.get("mode", "ingress") != "ingress":
            return []
        target, protocol, published = port.get("target"), port.get("protocol", "tcp"), str(port.get("published") or "")
        if not isinstance(target, int) or protocol not in ("tcp", "udp") or not published.isdigit():
            return []
        host = int(published)
        if protocol == "tcp" and (host in claimed or host in mine):
            return []
        if protocol == "tcp":
            mine.add(host)
        text = f"{host}:{target}" + ("/udp" if protocol == "udp" else "")
        host_ip = port.get("host_ip")
        out.append({"container": target, "host": host, "protocol": protocol, "host_ip": host_ip} if host_ip else text)
    for exposed in entry.get("expose") or []:
        number, _, protocol = str(exposed).partition("/")
        if not number.isdigit() or protocol not in ("", "tcp", "udp"):
            return []
        out.append(int(number) if protocol in ("", "tcp") else {"container": int(number), "protocol": "udp"})
    if not out:
        return []
    claimed.update(mine)
    return out


def _volumes(entry: dict[str, Any], where: Where) -> list[Any]:
    """Every mount in the spec's terms, or none when one of them cannot be said."""
    out: list[Any] = []
    for volume in entry.get("volumes") or []:
        if not isinstance(volume, dict) or is_program_mount(volume):
            return []
        kind, target, source = volume.get("type"), volume.get("target"), volume.get("source")
        read_only = ":ro" if volume.get("read_only") else ""
        if not isinstance(target, str) or not target.startswith("/") or "$" in target or ":" in target:
            return []
        if kind == "volume" and set(volume) <= {"type", "source", "target", "volume", "read_only"}:
            if volume.get("volume") not in (None, {}) or not isinstance(source, str) or not VOLUME_NAME.match(source):
                return []
            out.append(f"{source}:{target}{read_only}")
        elif kind == "bind" and set(volume) <= {"type", "source", "target", "bind", "read_only"}:
            if volume.get("bind") != {"create_host_path": True} or not isinstance(source, str) or "$" in source:
                return []
            path = relative(source, where)
            if ":" in path or not path.startswith((".", "/")):
                return []
            out.append(f"{path}:{target}{read_only}")
        elif (
            kind == "tmpfs"
            and set(volume) <= {"type", "target", "tmpfs"}
            and set(volume.get("tmpfs") or {}) <= {"size"}
        ):
            item: dict[str, Any] = {"tmpfs": True, "target": target}
            size = (volume.get("tmpfs") or {}).get("size")
            if size is not None:
                item["size"] = _size(size)
            out.append(item)
        else:
            return []
    targets = [item["target"] if isinstance(item, dict) else item.split(":")[1] for item in out]
    return out if len(set(targets)) == len(targets) else []


def _takes(key: str, value: Any) -> bool:
    if key == "retries":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return isinstance(value, str) and DURATION.match(value) is not None


def _seconds(value: Any) -> Any:
    """``5m0s`` and ``300s`` -> 300.0 (Compose prints durations its own way); other values as they are."""
    seconds = duration_seconds(value) if isinstance(value, str) else None
    return value if seconds is None else seconds


def _size(value: Any) -> str:
    """``67108864`` -> ``64m``: Compose's byte count as a person writes it."""
    text = str(value)
    if text.isdigit():
        number = int(text)
        for unit, factor in _UNITS:
            if number and number % factor == 0:
                return f"{number // factor}{unit}"
    return text


def _secrets(entry: dict[str, Any], where: Where, top: dict[str, Any]) -> dict[str, str]:
    """{name: file} for secrets mounted where Compose mounts them by default, from files; or none."""
    out: dict[str, str] = {}
    for secret in entry.get("secrets") or []:
        if not isinstance(secret, dict) or not set(secret) <= {"source", "target"}:
            return {}
        source = secret.get("source")
        if not isinstance(source, str) or not SECRET.match(source) or source == CA_SECRET:
            return {}
        if secret.get("target") not in (None, f"/run/secrets/{source}"):
            return {}
        definition = top.get(source)
        if not isinstance(definition, dict) or not isinstance(definition.get("file"), str):
            return {}
        if set(definition) - {"file", "name"} or definition.get("name", "") not in ("", _default_name(where, source)):
            return {}
        out[source] = relative(definition["file"], where)
    return out


def _default_name(where: Where, key: str) -> str:
    return f"{where.original_project}_{key}"


def _health(spec: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """health_command and health_timing for a command health check; for an HTTP GET (``health``), the timing."""
    check = entry.get("healthcheck")
    if not isinstance(check, dict) or check.get("disable"):
        return {}
    test = check.get("test")
    out: dict[str, Any] = {}
    if "health" in spec:  # an HTTP GET devenv's probe makes: the original's timing
        pass
    elif not isinstance(test, list) or len(test) < 2 or http_check(test) is not None:
        return {}
    elif test[0] == "CMD" and all(isinstance(word, str) for word in test[1:]):
        out["health_command"] = unescape(test[1:])
    elif test[0] == "CMD-SHELL" and len(test) == 2 and isinstance(test[1], str):
        out["health_command"] = unescape(test[1])
    else:
        return {}
    timing = {
        key: check[key]
        for key in _TIMING
        if check.get(key) is not None and _seconds(check[key]) != _seconds(_DEVENV_TIMING[key])
    }
    if not all(_takes(key, value) for key, value in timing.items()):
        timing = {}  # a value the spec does not take (retries: 0): the timing stays raw
    if timing:
        out["health_timing"] = timing
    return out


__all__ = ["FIELDS", "env_files", "native_fields", "used_natively"]
