"""devenv.yaml as `devenv import` writes it: the spec's own fields first, raw compose keys last. Pure."""

from __future__ import annotations

from typing import Any

from devenv.render.yamlout import FlowMap, dump_yaml

SERVICE_ORDER = ("template", "path", "dockerfile", "build_args", "image", "target", "port", "public", "host_port",
                 "health", "health_command", "health_timing", "entrypoint", "command", "user", "working_dir", "test",
                 "env", "env_file", "ports", "volumes", "secrets", "cap_add", "cap_drop", "profiles", "depends_on",
                 "replicas", "develop", "compose")  # fmt: skip
DEPENDENCY_ORDER = ("kind", "version", "image", "host_port", "profiles", "compose")
TOP_ORDER = ("name", "services", "dependencies", "fixtures", "images", "ca_certificates", "develop", "environments",
             "compose")  # fmt: skip
SHORT = 100  # a dependency entry shorter than this, without raw keys, goes on one line


def _ordered(entry: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    known = {key: entry[key] for key in order if key in entry}
    return known | {key: value for key, value in entry.items() if key not in known}


def spec_text(data: dict[str, Any], header: str) -> str:
    """The text of devenv.yaml for ``data`` (what :meth:`Proposals.spec` gives), under a comment ``header``."""
    out = _ordered(data, TOP_ORDER)
    if "services" in out:
        out["services"] = {name: _ordered(entry, SERVICE_ORDER) for name, entry in out["services"].items()}
    if "dependencies" in out:
        dependencies = {}
        for name, entry in out["dependencies"].items():
            ordered = _ordered(entry, DEPENDENCY_ORDER)
            short = "compose" not in ordered and len(repr(ordered)) < SHORT
            dependencies[name] = FlowMap(ordered) if short else ordered
        out["dependencies"] = dependencies
    return dump_yaml(out, header=header, flow_lists=True)
