"""fastyaml writes exactly what yamlout's dump_yaml writes: on random data and on every exported file."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devenv.export import build_files
from devenv.render.k8s.fastyaml import dump_document, dump_documents
from devenv.render.yamlout import dump_yaml, dump_yaml_stream
from tests.render.k8s.conftest import TAG

texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["on", "off", "yes", "no", "~", "null", "1e3", "0x1f", "22:22", "-", "- a", "a: b", "#x", "'q'", "*a"]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
    st.text(min_size=500, max_size=700, alphabet="ab :"),  # around the length past which fastyaml defers
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), texts)
keys = st.one_of(texts, st.integers(0, 100), st.booleans())
data = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=30,
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data)
def test_same_bytes_as_dump_yaml(document):
    assert dump_document(document) == dump_yaml(document)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(keys, data, max_size=5), max_size=4))
def test_same_stream_as_dump_yaml_stream(documents):
    assert dump_documents(documents) == dump_yaml_stream(documents)


def test_floats_and_multiline_text_are_left_to_dump_yaml():
    for document in ({"a": 1.5}, {"a": "x\ny\n"}, {"a": [{"b": "long " * 200}]}, {"k" * 200: 1}):
        assert dump_document(document) == dump_yaml(document)


def test_every_exported_document(example, edge):
    cases = [
        (example, "staging"), (example, "production"), (edge("fixtures"), "staging"), (edge("worker-only"), "prod")
    ]
    for project, env in cases:
        for fmt in ("kustomize", "plain"):
            files, _ = build_files(project, env, TAG, fmt=fmt)
            for path, text in files.items():
                if not path.endswith(".yaml"):
                    continue
                body = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("# "))
                documents = list(yaml.safe_load_all(body))
                if body.startswith("---\n"):
                    assert body == dump_yaml_stream(documents), path
                else:
                    assert body == dump_yaml(documents[0]), path
