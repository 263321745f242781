"""Dump rendered data as YAML with a stable layout.

PyYAML quotes every scalar that a YAML 1.1 reader could take for something else
('on', '22:22', 'yes'), so the files read the same in Compose and in Kubernetes tools.
Key order is the order the renderer built, never the dict's hash order.
"""

from __future__ import annotations

from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        # `indentless` is ignored: lists inside a mapping are always indented
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
