"""The bytes :func:`devenv.render.yamlout.dump_yaml_stream` writes, several times faster, for manifests.

Manifests are thousands of small mappings of short strings: PyYAML's pure-Python
emitter spends most of an export re-deciding how to write the same label keys and
values. Here the block layout (dump_yaml's: two-space indent, indented sequences) is
written directly and every scalar is formatted *by dump_yaml itself*, once, then
cached. A document holding anything else (a multi-line or long string, a float, an
unusual key) is handed to dump_yaml whole, so the output is always dump_yaml's;
``tests/render/k8s/test_fastyaml.py`` checks that byte for byte.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from devenv.render.yamlout import dump_yaml

MAX_SCALAR = 512  # longer strings could be wrapped at dump_yaml's width: leave them to it
_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


class _Fallback(Exception):
    """The document holds something only dump_yaml should write."""


def dump_documents(documents: list[Any]) -> str:
    """Exactly ``dump_yaml_stream(documents)``."""
    return "".join("---\n" + dump_document(doc) for doc in documents)


def dump_document(document: Any) -> str:
    """Exactly ``dump_yaml(document)``."""
    if not document or not isinstance(document, (dict, list)):
        return dump_yaml(document)
    out: list[str] = []
    try:
        if isinstance(document, dict):
            _mapping(document, 0, "", out)
        else:
            _sequence(document, 0, "", out)
    except _Fallback:
        return dump_yaml(document)
    return "".join(out)


def _mapping(data: dict[Any, Any], indent: int, first: str, out: list[str]) -> None:
    pad = " " * indent
    prefix = first or pad
    for key, value in data.items():
        head = prefix + _scalar(key, True)
        prefix = pad
        if isinstance(value, dict):
            if value:
                out.append(head + ":\n")
                _mapping(value, indent + 2, "", out)
            else:
                out.append(head + ": {}\n")
        elif isinstance(value, list):
            if value:
                out.append(head + ":\n")
                _sequence(value, indent + 2, "", out)
            else:
                out.append(head + ": []\n")
        else:
            out.append(head + ": " + _scalar(value, False) + "\n")


def _sequence(items: list[Any], indent: int, first: str, out: list[str]) -> None:
    pad = " " * indent
    prefix = first or pad
    for item in items:
        head = prefix + "- "
        prefix = pad
        if isinstance(item, dict):
            if item:
                _mapping(item, indent + 2, head, out)
            else:
                out.append(head + "{}\n")
        elif isinstance(item, list):
            if item:
                _sequence(item, indent + 2, head, out)
            else:
                out.append(head + "[]\n")
        else:
            out.append(head + _scalar(item, False) + "\n")


def _scalar(value: Any, key: bool) -> str:
    if value is None or isinstance(value, (bool, int, str)):
        kind: type = type(value)
        text = _formatted(kind, value, key)
        if text is not None:
            return text
    raise _Fallback


@lru_cache(maxsize=1 << 16)
def _formatted(kind: type, value: Any, key: bool) -> str | None:
    """How dump_yaml writes ``value`` as a mapping key or value, when that is one line; else None."""
    if kind is str and (len(value) > MAX_SCALAR or any(brk in value for brk in _LINE_BREAKS)):
        return None
    if key:
        text = dump_yaml({value: 0})
        return text[:-4] if text.endswith(": 0\n") and text.count("\n") == 1 and not text.startswith("? ") else None
    text = dump_yaml({"k": value})
    return text[3:-1] if text.startswith("k: ") and text.count("\n") == 1 else None
