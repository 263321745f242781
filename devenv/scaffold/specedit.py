"""Edit devenv.yaml the way a person would: comments, order, quoting and layout kept.

ruamel.yaml's round-trip mode reads the document into ordered maps that remember
comments and styles; we change only what we add to, and guess the file's
indentation so new entries look like the old ones. The result is validated by the
spec loader before anything is written (see :mod:`devenv.scaffold.add`).
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent

from devenv.errors import UsageError


class SpecDocument:
    """A devenv.yaml document open for editing."""

    def __init__(self, text: str):
        _, seq_indent, seq_offset = load_yaml_guess_indent(text)
        mapping = _mapping_indent(text)
        self.yaml = YAML(typ="rt")
        self.yaml.preserve_quotes = True
        self.yaml.width = 4096
        if seq_offset is None:  # no block sequences yet: write "- x" at the mapping indent
            seq_indent, seq_offset = mapping, 0
        self.yaml.indent(mapping=mapping, sequence=max(seq_indent or mapping, seq_offset + 2), offset=seq_offset)
        self.doc = self.yaml.load(text)
        if not isinstance(self.doc, CommentedMap):
            raise UsageError("devenv.yaml is not a mapping", hint="start from `devenv init`")

    def text(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.doc, out)
        return out.getvalue()

    # sections

    def section(self, key: str) -> CommentedMap:
        """The top-level mapping ``key`` (services, dependencies), made block-style and created if absent."""
        value = self.doc.get(key)
        if value is None or (isinstance(value, CommentedMap) and not value and value.fa.flow_style()):
            fresh = CommentedMap()
            if key in self.doc:
                self.doc[key] = fresh
            else:
                # services before dependencies, both after name/before images when possible
                order = list(self.doc.keys())
                anchor = "services" if key == "dependencies" and "services" in order else "name"
                position = order.index(anchor) + 1 if anchor in order else len(order)
                self.doc.insert(position, key, fresh)
            return fresh
        if not isinstance(value, CommentedMap):
            raise UsageError(f"devenv.yaml: '{key}' is not a mapping")
        if value.fa.flow_style():
            value.fa.set_block_style()
        return value

    def names(self, key: str) -> list[str]:
        value = self.doc.get(key)
        return [str(k) for k in value] if isinstance(value, dict) else []

    # edits

    def add_service(self, name: str, entry: dict[str, Any]) -> None:
        services = self.section("services")
        node = CommentedMap()
        for key, value in entry.items():
            node[key] = _flow_list(value) if isinstance(value, list) else value
        services[name] = node

    def add_dependency(self, name: str, entry: dict[str, Any]) -> None:
        dependencies = self.section("dependencies")
        node = CommentedMap(entry)
        node.fa.set_flow_style()
        dependencies[name] = node

    def add_depends_on(self, service: str, target: str) -> bool:
        """Make ``service`` depend on ``target``; False when it already did."""
        node = self.doc["services"][service]
        if node is None:
            node = self.doc["services"][service] = CommentedMap()
        current = node.get("depends_on")
        if current is None:
            node["depends_on"] = _flow_list([target])
            return True
        if target in current:
            return False
        current.append(target)
        return True


def _mapping_indent(text: str) -> int:
    """Indentation of the first nested mapping key (2 when there is none)."""
    lines = text.splitlines()
    for index, line in enumerate(lines[:-1]):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or line[0].isspace() or not stripped.endswith(":"):
            continue
        for following in lines[index + 1:]:
            body = following.strip()
            if not body or body.startswith("#"):
                continue
            width = len(following) - len(following.lstrip(" "))
            if width and not body.startswith("-"):
                return width
            break
    return 2


def _flow_list(items: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq
