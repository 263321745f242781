"""MongoDB: no stand-in can run here, so the kind is tested by rendering and validation.

Compose: tests/render/test_every_kind.py (and its golden file, with `docker compose config`);
Kubernetes: tests/render/k8s/test_every_kind.py (kubernetes-validate --strict on every
supported version). This module holds what is MongoDB's own.
"""

from __future__ import annotations

import pytest

from devenv.kinds import get
from devenv.kinds.programs import seed_program
from devenv.spec.loader import load_project
from tests.render.k8s.conftest import by_key, plain_documents

SPEC = """\
name: my-shop
services:
  api:
    port: 8000
    depends_on: [docs]
dependencies:
  docs: {kind: mongodb, version: "7"}
images: {registry: ghcr.io/acme}
environments:
  prod: {}
"""


def test_image_env_and_url():
    kind = get("mongodb")
    assert kind.image(None) == "mongo:8" and kind.image("7") == "mongo:7"
    assert kind.container_env("my-shop") == {
        "MONGO_INITDB_DATABASE": "my_shop",
        "MONGO_INITDB_ROOT_PASSWORD": "devenv",
        "MONGO_INITDB_ROOT_USERNAME": "devenv",
    }
    assert kind.url("docs", "my-shop") == "mongodb://devenv:devenv@docs:27017/my_shop?authSource=admin"
    assert kind.url_env == "MONGODB_URI" and kind.port == 27017 and kind.data_path == "/data/db"
    assert kind.health_command("my-shop")[:4] == ["mongosh", "--quiet", "--host", "127.0.0.1"]
    assert not kind.seeds and not kind.snapshots
    with pytest.raises(ValueError, match="no seeding program"):
        seed_program("mongodb")


def test_statefulset_takes_the_root_user_from_the_secret(make_project):
    docs = plain_documents(load_project(make_project(SPEC, {"services/api": ""}), environ={}), "prod")
    objects = by_key(docs)
    (container,) = objects[("StatefulSet", "docs")]["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "mongo:7"
    env = {item["name"]: item for item in container["env"]}
    assert env["MONGO_INITDB_ROOT_USERNAME"]["valueFrom"]["secretKeyRef"]["key"] == "DOCS_USER"
    assert env["MONGO_INITDB_ROOT_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "DOCS_PASSWORD"
    assert env["MONGO_INITDB_DATABASE"]["value"] == "my_shop" and env["HOME"]["value"] == "/tmp"
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert mounts == {"/data/db", "/data/configdb", "/tmp"}
    assert container["livenessProbe"]["exec"]["command"] == get("mongodb").health_command("my-shop")
    (api,) = objects[("Deployment", "api")]["spec"]["template"]["spec"]["containers"]
    urls = {item["name"]: item["valueFrom"]["secretKeyRef"]["key"] for item in api["env"]}
    assert urls == {"DOCS_URL": "DOCS_URL", "MONGODB_URI": "DOCS_URL"}  # the service reads the URL from the Secret
