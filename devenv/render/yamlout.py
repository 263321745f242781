"""Dump rendered data as YAML with a stable layout.

PyYAML quotes every scalar that a YAML 1.1 reader could take for something else
('on', '22:22', 'yes'), so the files read the same in Compose and in Kubernetes tools.
Key order is the order the renderer built, never the dict's hash order.
"""

from __future__ import annotations

from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:  # noqa: ARG002
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:  # never emit anchors for repeated values
        return True


_YAML11_BOOLS = {"y", "Y", "n", "N"}  # booleans to YAML 1.1 readers (kustomize) that PyYAML leaves plain


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if value in _YAML11_BOOLS:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any, header: str | None = None) -> str:
    """One YAML document, with an optional comment header."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=4096, allow_unicode=True)
    if header:
        lines = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
        return lines + body
    return body


def dump_yaml_stream(documents: list[Any]) -> str:
    """Several YAML documents separated by ``---``."""
    return "".join("---\n" + dump_yaml(doc) for doc in documents)
