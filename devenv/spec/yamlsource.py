"""Read YAML into plain Python data while remembering where every key and value stands.

ruamel.yaml's round-trip loader knows the line and column of each node; we copy the
document into plain dicts and lists (what pydantic validates) and keep a map from the
path of each node, e.g. ``("services", "api", "port")``, to its position, so that any
later error can name ``devenv.yaml:LINE:COL``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from devenv.errors import SpecError

MAX_NODES = 200_000  # guards against alias bombs ("billion laughs")

PathKey = tuple[Any, ...]


@dataclass
class Positions:
    """1-based (line, col) of keys and values, by node path."""

    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def of_value(self, path: PathKey) -> tuple[int, int]:
        """Position of the value at ``path``, or of its nearest known ancestor."""
        return self._nearest(path, self.values)

    def of_key(self, path: PathKey) -> tuple[int, int]:
        """Position of the key that names ``path`` (falls back to the value)."""
        if path in self.keys:
            return self.keys[path]
        return self._nearest(path, self.values)

    def _nearest(self, path: PathKey, table: dict[PathKey, tuple[int, int]]) -> tuple[int, int]:
        for end in range(len(path), -1, -1):
            prefix = tuple(path[:end])
            if prefix in table:
                return table[prefix]
            if prefix in self.keys:
                return self.keys[prefix]
        return (1, 1)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def parse_yaml(text: str, path: Path) -> tuple[Any, Positions]:
    """Parse ``text`` (the content of ``path``) into plain data and positions.

    Raises :class:`SpecError` for syntax errors, tabs, duplicate keys and alias bombs.
    """
    try:
        document = _yaml().load(text)
    except MarkedYAMLError as exc:
        raise _syntax_error(exc, path) from exc
    except ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        raise SpecError(
            path, line, col, "", f"invalid YAML: character {exc.character!r} is not allowed", hint="remove it"
        ) from exc
    except YAMLError as exc:  # unmarked errors are rare; still a user error
        raise SpecError(path, 1, 1, "", "invalid YAML: " + " ".join(str(exc).split())) from exc
    positions = Positions()
    positions.values[()] = (1, 1)
    counter = [0]
    data = _plain(document, (), positions, counter, path)
    return data, positions


def _syntax_error(exc: MarkedYAMLError, path: Path) -> SpecError:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    hint = None
    if "\\t" in problem or "\t" in problem or "tab" in problem.lower():
        problem = "tab character: YAML indentation must use spaces"
        hint = "replace the tabs with spaces"
    elif "duplicate key" in problem:
        key = problem.split('"')[1] if '"' in problem else ""
        first = exc.context_mark
        where = f" (first defined on line {first.line + 1})" if first is not None else ""
        return SpecError(path, line, col, key, f"duplicate key{where}", hint="keep one of the two")
    else:
        context = (exc.context or "").strip()
        if context and context != problem:
            problem = f"invalid YAML: {problem} ({context})"
        else:
            problem = f"invalid YAML: {problem}"
    return SpecError(path, line, col, "", problem, hint=hint)


def _plain(node: Any, here: PathKey, positions: Positions, counter: list[int], path: Path) -> Any:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise SpecError(path, 1, 1, "", f"document too large (more than {MAX_NODES} nodes, or an alias bomb)")
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            plain_key = key if isinstance(key, (str, int, float, bool)) or key is None else str(key)
            child = (*here, plain_key)
            try:
                kl, kc = node.lc.key(key)
                positions.keys[child] = (kl + 1, kc + 1)
                vl, vc = node.lc.value(key)
                # a key with no value (`db:` alone): ruamel places the missing value at the next token,
                # often on a later line; the value stands where its key does
                positions.values[child] = (vl + 1, vc + 1) if value is not None else (kl + 1, kc + 1)
            except (KeyError, TypeError, AttributeError):
                pass
            out[plain_key] = _plain(value, child, positions, counter, path)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = (*here, index)
            try:
                il, ic = node.lc.item(index)
                positions.values[child] = (il + 1, ic + 1)
            except (KeyError, TypeError, AttributeError):
                pass
            items.append(_plain(value, child, positions, counter, path))
        return items
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node  # dates and other tagged scalars: pydantic reports them as wrong types
