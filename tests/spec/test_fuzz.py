"""Fuzzing the loader: random YAML and mutations of valid specs give a clean SpecError or a Spec, nothing else."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devenv.errors import SpecError
from devenv.spec.loader import parse_spec

PATH = Path("devenv.yaml")
VALID = {
    "name": "shop",
    "services": {
        "api": {
            "path": "services/api",
            "port": 8000,
            "public": True,
            "health": "/healthz",
            "env": {"A": "b"},
            "depends_on": ["db"],
            "command": ["x", "y"],
        },
        "tool": {"image": "ghcr.io/acme/tool:1.2"},
    },
    "dependencies": {"db": {"kind": "postgres", "version": "16"}, "cache": {"kind": "redis"}},
    "images": {"mirror": {"docker.io": "m"}},
}

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False), st.text(max_size=12)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)


def _accepts_or_clean_error(text: str) -> None:
    try:
        parse_spec(text, PATH)
    except SpecError as exc:
        message = str(exc)
        assert message.startswith("devenv.yaml:"), message
        assert "\n" not in message
        line, col = message.split(":")[1:3]
        assert int(line) >= 1 and int(col) >= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_random_text(text):
    _accepts_or_clean_error(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_random_yaml_documents(document):
    _accepts_or_clean_error(yaml.safe_dump(document))


def _paths(node, here=()):
    yield here
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*here, index))


ALL_PATHS = [p for p in _paths(VALID) if p]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ALL_PATHS), values, st.sampled_from(["replace", "delete", "rename"]))
def test_mutated_valid_spec(path, value, how):
    import copy

    doc = copy.deepcopy(VALID)
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "replace":
        parent[last] = value
    elif how == "delete":
        del parent[last]
    elif isinstance(parent, dict):
        parent[f"{last}x"] = parent.pop(last)
    _accepts_or_clean_error(yaml.safe_dump(doc, sort_keys=False))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 400), st.text(max_size=3))
def test_text_splices_of_valid_spec(position, junk):
    text = yaml.safe_dump(VALID, sort_keys=False)
    position = min(position, len(text))
    _accepts_or_clean_error(text[:position] + junk + text[position:])


def test_alias_bomb_is_a_clean_error():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for index in range(1, 9):
        bomb += f"{chr(97 + index)}: &{chr(97 + index)} [" + ", ".join([f"*{chr(96 + index)}"] * 10) + "]\n"
    _accepts_or_clean_error(bomb)
