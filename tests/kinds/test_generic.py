"""Any image (devenv/kinds/generic/): the spec picks it, Compose and Kubernetes render it from the spec.

The dependency's image, port, health command, data directory, env and URL template come
from devenv.yaml, not from constants; settings it does not take are spec errors at their line.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from kubernetes_validate import utils as kv

from devenv.errors import SpecError
from devenv.kinds import get, kind_of
from devenv.render.compose import render_compose
from devenv.spec.loader import load_project
from tests.render.k8s.conftest import K8S_VERSIONS, by_key, plain_documents

HERE = Path(__file__).parent

SPEC = """\
name: my-shop
services:
  api:
    port: 8000
    health: /healthz
    depends_on: [search, broker]
dependencies:
  search:
    image: getmeili/meilisearch:v1.8
    port: 7700
    host_port: 17700
    health_command: [curl, -fsS, http://127.0.0.1:7700/health]
    data: /meili_data
    env: {MEILI_ENV: development, MEILI_MASTER_KEY: dev-key-$1}
    url: http://{host}:{port}
  broker:
    image: nats:2.10
    port: 4222
images: {registry: ghcr.io/acme}
observability: false
environments:
  prod: {}
"""


def load(make_project, spec: str = SPEC):
    return load_project(make_project(spec, {"services/api": ""}), environ={})


def test_an_image_without_a_kind_is_any_image_and_reads_its_catalog_from_the_spec(make_project):
    spec = load(make_project).spec
    search, broker = spec.dependencies["search"], spec.dependencies["broker"]
    assert search.kind == broker.kind == "generic"
    kind = kind_of(search)
    assert (kind.port, kind.data_path, kind.image(None)) == (7700, "/meili_data", "getmeili/meilisearch:v1.8")
    assert kind.health_command("my-shop") == ["curl", "-fsS", "http://127.0.0.1:7700/health"]
    assert kind.url("search", "my-shop") == "http://search:7700"
    assert kind_of(broker).url("broker", "my-shop") == "" and kind_of(broker).health_command("x") == []
    assert get("generic").port == 0  # binding did not change the registry's instance


def test_compose_runs_the_image_with_its_port_volume_health_check_and_env(make_project, golden):
    rendered = render_compose(load(make_project))
    services = rendered.data["services"]
    search, broker, api = services["search"], services["broker"], services["api"]
    assert search["image"] == "getmeili/meilisearch:v1.8" and broker["image"] == "nats:2.10"
    assert search["ports"] == ["127.0.0.1:17700:7700"] and "ports" not in broker
    assert search["volumes"] == ["search-data:/meili_data"] and "search-data" in rendered.data["volumes"]
    assert search["healthcheck"]["test"] == ["CMD", "curl", "-fsS", "http://127.0.0.1:7700/health"]
    assert search["environment"] == {"MEILI_ENV": "development", "MEILI_MASTER_KEY": "dev-key-$$1"}
    assert "healthcheck" not in broker and "volumes" not in broker  # no health_command, no data
    assert api["depends_on"]["search"] == {"condition": "service_healthy"}
    assert api["depends_on"]["broker"] == {"condition": "service_started"}
    assert api["environment"]["SEARCH_URL"] == "http://search:7700"
    assert "BROKER_URL" not in api["environment"]  # no 'url' template: no URL
    golden(HERE, "generic.compose.yml", rendered.text())


def test_compose_config_accepts_it(make_project, tmp_path):
    if shutil.which("docker") is None:
        pytest.skip("docker CLI not installed")
    target = tmp_path / "check"
    target.mkdir()
    (target / "docker-compose.yml").write_text(render_compose(load(make_project)).text())
    proc = subprocess.run(
        ["docker", "compose", "-f", str(target / "docker-compose.yml"), "config", "-q"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


def test_kubernetes_statefulset_with_claim_service_and_probes(make_project, golden):
    documents = plain_documents(load(make_project), "prod")
    objects = by_key(documents)
    sts = objects[("StatefulSet", "search")]
    (container,) = sts["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "getmeili/meilisearch:v1.8"
    assert container["ports"] == [{"name": "generic", "containerPort": 7700, "protocol": "TCP"}]
    assert container["readinessProbe"]["exec"]["command"] == ["curl", "-fsS", "http://127.0.0.1:7700/health"]
    assert {"name": "data", "mountPath": "/meili_data"} in container["volumeMounts"]
    assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    env = {item["name"]: item for item in container["env"]}
    assert env["MEILI_ENV"] == {"name": "MEILI_ENV", "value": "development"}
    assert env["MEILI_MASTER_KEY"]["valueFrom"]["secretKeyRef"]["key"] == "SEARCH_MEILI_MASTER_KEY"
    assert "dev-key" not in str(documents)  # a secret-looking env value never lands in a manifest
    (broker,) = objects[("StatefulSet", "broker")]["spec"]["template"]["spec"]["containers"]
    assert broker["readinessProbe"]["tcpSocket"] == {"port": "generic"}
    assert "volumeClaimTemplates" not in objects[("StatefulSet", "broker")]["spec"]
    assert objects[("Service", "search")]["spec"]["ports"][0]["port"] == 7700
    golden(HERE, "generic.k8s.yml", "---\n".join(_dump(doc) for doc in documents if _ours(doc)))


def _ours(doc: dict[str, Any]) -> bool:
    return doc["kind"] != "Secret" and doc["metadata"]["name"] in ("search", "broker")


def _dump(doc: object) -> str:
    import yaml

    return yaml.safe_dump(doc, sort_keys=True)


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_kubernetes_validate_strict(make_project, version):
    for doc in plain_documents(load(make_project), "prod"):
        kv.validate(doc, version, strict=True)


@pytest.mark.parametrize(
    ("spec", "where", "message"),
    [
        ("  x: {kind: postgres, port: 5432}\n", "4:23: dependencies.x.port", "a postgres dependency has no setting"),
        ("  x: {kind: redis, data: /data}\n", "4:20: dependencies.x.data", "a redis dependency has no setting 'data'"),
        ("  x: {image: nats:2, env: {A: b}}\n", "4:3: dependencies.x.port", "a generic dependency needs 'port'"),
        ("  x: {kind: generic, port: 1}\n", "4:13: dependencies.x.kind", "names none"),
        ("  x: {image: nats:2, port: 1, data: rel}\n", "dependencies.x.data", "must be an absolute directory"),
        ("  x: {port: 1}\n", "4:3: dependencies.x.kind", "required key is missing"),
    ],
)
def test_settings_a_kind_does_not_take_are_errors_at_their_line(make_project, spec, where, message):
    root = make_project("name: shop\n\ndependencies:\n" + spec)
    with pytest.raises(SpecError) as caught:
        load_project(root, environ={})
    assert where in str(caught.value) and message in str(caught.value), str(caught.value)


def test_fixtures_and_add_dependency_are_refused_clearly(make_project, tmp_path):
    root = make_project("name: shop\ndependencies:\n  x: {image: nats:2, port: 4222}\nfixtures: {x: fixtures/x}\n")
    (root / "fixtures" / "x").mkdir(parents=True)
    with pytest.raises(SpecError, match="generic dependency, which loads no fixtures"):
        load_project(root, environ={})
    from tests.conftest import run_cli

    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "devenv.yaml").write_text("name: shop\n")
    code, out, err = run_cli("-C", tmp_path / "other", "add", "dependency", "generic")
    assert code == 2 and "names its own image" in out + err


def test_the_json_schema_lets_image_stand_for_kind():
    from devenv.spec.model import Spec

    dependency = Spec.model_json_schema()["$defs"]["Dependency"]
    assert "kind" not in dependency.get("required", [])
    assert dependency["anyOf"] == [{"required": ["kind"]}, {"required": ["image"]}]
    assert {"port", "health_command", "data", "env", "url"} <= set(dependency["properties"])
