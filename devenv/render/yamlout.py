"""Dump rendered data as YAML with a stable layout.

PyYAML quotes every scalar that a YAML 1.1 reader could take for something else
('on', '22:22', 'yes'), so the files read the same in Compose and in Kubernetes tools.
Key order is the order the renderer built, never the dict's hash order.
"""

from __future__ import annotations

import re
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        # `indentless` is ignored: lists inside a mapping are always indented
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:  # never emit anchors for repeated values
        return True


_YAML11_BOOLS = {"y", "Y", "n", "N"}  # booleans to YAML 1.1 readers (kustomize) that PyYAML leaves plain
# Numbers to YAML 1.2 readers (Compose, ruamel) that PyYAML, a YAML 1.1 writer, leaves plain: 1e3, 0o17, 08.
_YAML12_NUMBER = re.compile(
    r"[-+]?(0[oxb][0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9_]+([eE][-+]?[0-9]+)?)"
)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if value in _YAML11_BOOLS or _YAML12_NUMBER.fullmatch(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


class FlowMap(dict[str, Any]):
    """A mapping written on one line, as a person writes a short one: ``{kind: postgres, version: '16'}``."""


def _flow_map(dumper: yaml.SafeDumper, value: FlowMap) -> yaml.MappingNode:
    node = dumper.represent_mapping("tag:yaml.org,2002:map", dict(value))
    node.flow_style = True
    return node


_Dumper.add_representer(FlowMap, _flow_map)


class _FlowDumper(_Dumper):
    """Short lists of plain values on one line (``[CMD, pg_isready, -h, 127.0.0.1]``), as a person writes them."""


FLOW_WIDTH = 100  # a flow list longer than this goes back to one item per line


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    node = dumper.represent_sequence("tag:yaml.org,2002:seq", value)
    scalars = all(isinstance(item, (str, int, float, bool)) and "\n" not in str(item) for item in value)
    node.flow_style = bool(value) and scalars and sum(len(str(item)) + 2 for item in value) <= FLOW_WIDTH
    return node


_FlowDumper.add_representer(list, _list)


def dump_yaml(data: Any, header: str | None = None, *, flow_lists: bool = False) -> str:
    """One YAML document, with an optional comment header; ``flow_lists``: short lists of values on one line."""
    dumper = _FlowDumper if flow_lists else _Dumper
    body = yaml.dump(data, Dumper=dumper, sort_keys=False, default_flow_style=False, width=4096, allow_unicode=True)
    if header:
        lines = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
        return lines + body
    return body


def dump_yaml_stream(documents: list[Any]) -> str:
    """Several YAML documents separated by ``---``."""
    return "".join("---\n" + dump_yaml(doc) for doc in documents)
