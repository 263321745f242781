"""Round-trip edits of devenv.yaml: new entries follow the file's own layout."""

from __future__ import annotations

import textwrap

from devenv.scaffold.specedit import SpecDocument


def edit(text: str) -> str:
    doc = SpecDocument(textwrap.dedent(text))
    doc.add_dependency("queue", {"kind": "redis"})
    doc.add_service("w", {"template": "worker", "port": 8000, "depends_on": ["queue"], "test": ["pytest", "-q"]})
    if "api" in doc.names("services"):
        doc.add_depends_on("api", "queue")
    return doc.text()


def test_empty_flow_sections_become_block_mappings():
    out = edit(
        """\
        # top
        name: x
        services: {}
        dependencies: {}
        """
    )
    assert out == textwrap.dedent(
        """\
        # top
        name: x
        services:
          w:
            template: worker
            port: 8000
            depends_on: [queue]
            test: [pytest, -q]
        dependencies:
          queue: {kind: redis}
        """
    )


def test_missing_sections_are_created_after_name():
    out = edit("name: x\nimages:\n  mirror: {docker.io: m}\n")
    assert out.index("name: x") < out.index("services:") < out.index("dependencies:") < out.index("images:")


def test_four_space_files_stay_four_space_and_block_lists_grow_in_place():
    out = edit(
        """\
        name: x
        services:
            api:
                image: foo   # keep me
                depends_on:
                  - db
        dependencies:
            db: {kind: postgres}
        """
    )
    assert "        depends_on:\n          - db\n          - queue\n" in out
    assert "    w:\n        template: worker\n" in out
    assert "image: foo   # keep me" in out


def test_flow_lists_grow_in_flow_style():
    out = edit(
        "name: x\nservices:\n  api:\n    image: foo\n    depends_on: [db]\ndependencies:\n  db: {kind: postgres}\n"
    )
    assert "depends_on: [db, queue]" in out


def test_a_service_without_depends_on_gets_one():
    out = edit("name: x\nservices:\n  api:\n    image: foo\n")
    assert "    image: foo\n    depends_on: [queue]\n" in out
