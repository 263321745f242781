"""Every dependency kind as a StatefulSet: ClusterDefaults, probes, volumes, and kubernetes-validate --strict.

Parametrized over the registry, so a new kind (devenv/kinds/<kind>/) is exported and
validated without a line here. MongoDB, which has no stand-in image, is tested this way only
(docs/testing.md).
"""

from __future__ import annotations

import pytest
from kubernetes_validate import utils as kv

from devenv import kinds
from devenv.spec.loader import load_project
from tests.render.k8s.conftest import K8S_VERSIONS, by_key, plain_documents

# Kinds with an official image, written `{kind: NAME}`; any image (generic) has its own tests.
CATALOG = tuple(name for name in kinds.names() if kinds.get(name).repository)

DOCKERFILE = "FROM python:3.11-slim AS dev\nFROM python:3.11-slim AS prod\n"


def spec_with(names: tuple[str, ...]) -> str:
    deps = "".join(f"  {name}-dep: {{kind: {name}}}\n" for name in names)
    needs = ", ".join(f"{name}-dep" for name in names)
    return (
        "name: my-shop\n"
        "services:\n"
        "  api:\n"
        "    port: 8000\n"
        "    health: /healthz\n"
        f"    depends_on: [{needs}]\n"
        f"dependencies:\n{deps}"
        "images: {registry: ghcr.io/acme}\n"
        "environments:\n"
        "  prod: {domain: shop.example.com}\n"
    )


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    root = tmp_path_factory.mktemp("every-kind")
    (root / "devenv.yaml").write_text(spec_with(CATALOG))
    (root / "services" / "api").mkdir(parents=True)
    (root / "services" / "api" / "Dockerfile").write_text(DOCKERFILE)
    return plain_documents(load_project(root, environ={}), "prod")


@pytest.mark.parametrize("name", CATALOG)
def test_a_statefulset_per_kind_from_its_cluster_defaults(documents, name):
    kind = kinds.get(name)
    objects = by_key(documents)
    sts = objects[("StatefulSet", f"{name}-dep")]
    assert sts["metadata"]["labels"]["app.kubernetes.io/component"] == kind.cluster.component
    pod = sts["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"].endswith(kind.image(None))
    assert container["ports"] == [{"name": name, "containerPort": kind.port, "protocol": "TCP"}]
    assert container["resources"]["requests"] == {"cpu": kind.cluster.cpu, "memory": kind.cluster.memory}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    for path in kind.cluster.writable_paths:  # emptyDirs where the server writes besides its data
        assert any(v["name"] == mounts[path] and "emptyDir" in v for v in pod["volumes"])
    if kind.data_path:
        assert mounts[kind.data_path] == "data" and sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    else:
        assert "data" not in mounts.values() and "volumeClaimTemplates" not in sts["spec"]
    probe = container["readinessProbe"]["exec"]["command"]
    assert probe == kind.health_command("my-shop") or probe[:2] == ["sh", "-c"]
    env = {item["name"]: item for item in container.get("env", [])}
    for key, value in kind.container_env("my-shop").items():  # credentials come from the Secret
        assert "valueFrom" in env[key] if value == "devenv" else env[key]["value"] == value
    service = objects[("Service", f"{name}-dep")]
    assert service["spec"]["clusterIP"] == "None" and service["spec"]["ports"][0]["port"] == kind.port


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_kind_passes_kubernetes_validate_strict(documents, version):
    failures = []
    for doc in documents:
        try:
            kv.validate(doc, version, strict=True)
        except (kv.ValidationError, kv.SchemaNotFoundError, kv.InvalidSchemaError) as exc:
            failures.append(f"{doc['kind']}/{doc['metadata']['name']}: {getattr(exc, 'message', exc)}")
    assert len(documents) > 2 * len(CATALOG)
    assert not failures, "\n".join(failures)


SEEDED = tuple(name for name in CATALOG if kinds.get(name).seeds and kinds.get(name).cluster.seeded)


@pytest.mark.parametrize("name", SEEDED)
def test_a_fixtures_job_per_seeding_kind_validates_and_reads_credentials_from_the_secret(tmp_path, name):
    kind = kinds.get(name)
    fixture = next(iter(kind.fixtures.exact)) if kind.fixtures.exact else f"001_data{kind.fixtures.suffixes[0]}"
    (tmp_path / "fixtures" / "dep").mkdir(parents=True)
    (tmp_path / "fixtures" / "dep" / fixture).write_text("-- data\n")
    (tmp_path / "devenv.yaml").write_text(
        f"name: my-shop\ndependencies:\n  dep: {{kind: {name}}}\nfixtures: {{dep: fixtures/dep}}\n"
        "images: {registry: ghcr.io/acme}\nenvironments:\n  staging: {fixtures: true}\n"
    )
    docs = plain_documents(load_project(tmp_path, environ={}), "staging")
    (job,) = [doc for doc in docs if doc["kind"] == "Job"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item for item in container["env"]}
    for variable, role in kind.seed_secrets.items():
        assert env[variable]["valueFrom"]["secretKeyRef"]["key"] == f"DEP_{role}"
    program = next(doc for doc in docs if doc["kind"] == "ConfigMap" and doc["metadata"]["name"].endswith("-program"))
    assert "seed.sh" in program["data"] and set(kind.shared_programs) <= set(program["data"])
    for doc in docs:
        kv.validate(doc, K8S_VERSIONS[-1], strict=True)
