from pathlib import Path

from devenv.render.graph import render_dot, render_mermaid
from devenv.spec.loader import parse_spec

HERE = Path(__file__).parent
SPEC = """\
name: shop
services:
  web: {template: frontend, port: 5173, public: true, depends_on: [api]}
  api: {port: 8000, depends_on: [db, cache]}
  worker: {template: worker, depends_on: [queue, db]}
dependencies:
  db: {kind: postgres, version: "16"}
  cache: {kind: redis}
  queue: {kind: rabbitmq}
"""


def test_mermaid_golden(golden):
    spec, _ = parse_spec(SPEC, Path("devenv.yaml"))
    golden(HERE, "graph.mmd", render_mermaid(spec))


def test_dot_golden(golden):
    spec, _ = parse_spec(SPEC, Path("devenv.yaml"))
    golden(HERE, "graph.dot", render_dot(spec))


def test_every_edge_is_drawn():
    spec, _ = parse_spec(SPEC, Path("devenv.yaml"))
    text = render_mermaid(spec)
    for source, target in [("web", "api"), ("api", "db"), ("api", "cache"), ("worker", "queue"), ("worker", "db")]:
        assert f"  {source} --> {target}" in text
