"""The spec's service fields in a cluster: what each becomes, what is refused (exit 2, named), and validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubernetes_validate import utils as kv

from devenv.errors import UsageError
from devenv.export import build_files
from devenv.spec.loader import load_project
from tests.conftest import run_cli
from tests.render.k8s.conftest import K8S_VERSIONS, TAG, by_key, documents

SPEC = """\
name: fields
services:
  api:
    port: 8000
    ports: ["9001:9001", "5353:53/udp", "19001:9001"]
    volumes:
      - uploads:/srv/uploads
      - uploads:/srv/more-uploads
      - ./conf/app.ini:/etc/app/app.ini:ro
      - {tmpfs: true, target: /scratch, size: 64m}
    env_file: [app.env]
    secrets: {db_password: ./secrets/db_password.txt}
    health_command: [python3, -c, "import socket; socket.create_connection(('127.0.0.1', 8000))"]
    health_timing: {interval: 10s, timeout: 2s, retries: 4, start_period: 1m}
    entrypoint: [/usr/local/bin/python, -u]
    command: [-m, http.server, "8000"]
    user: "1000:1000"
    working_dir: /srv
    cap_add: [NET_BIND_SERVICE]
    profiles: [full]
  worker:
    image: busybox:1.36
    health_command: "test -f /tmp/ok"
images: {registry: ghcr.io/acme}
environments:
  staging: {}
"""


def _project(make_project, spec: str = SPEC):
    root = make_project(spec, {"services/api": ""})
    (root / "conf").mkdir(exist_ok=True)
    (root / "conf" / "app.ini").write_text("[app]\nlevel = info\n")
    (root / "secrets").mkdir(exist_ok=True)
    (root / "secrets" / "db_password.txt").write_text("not-a-secret\n")
    (root / "app.env").write_text("A=1\n")
    return load_project(root, environ={})


@pytest.fixture
def docs(make_project):
    files, rendered = build_files(_project(make_project), "staging", TAG, fmt="plain")
    return by_key(documents(files)), rendered.warnings


def _container(deployment):
    return deployment["spec"]["template"]["spec"]["containers"][0]


def test_named_volume_is_a_claim_and_the_deployment_recreates(docs):
    objects, _ = docs
    assert [key for key in objects if key[0] == "PersistentVolumeClaim"] == [("PersistentVolumeClaim", "api-uploads")]
    claim = objects[("PersistentVolumeClaim", "api-uploads")]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    deployment = objects[("Deployment", "api")]
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert {"claimName": "api-uploads"} in [v.get("persistentVolumeClaim") for v in volumes.values()]
    assert {"medium": "Memory", "sizeLimit": "64Mi"} in [v.get("emptyDir") for v in volumes.values()]


def test_a_mounted_file_is_a_config_map(docs):
    objects, _ = docs
    config = objects[("ConfigMap", "api-files")]
    assert list(config["data"].values()) == ["[app]\nlevel = info\n"]
    mounts = {m["mountPath"]: m for m in _container(objects[("Deployment", "api")])["volumeMounts"]}
    assert mounts["/etc/app/app.ini"]["subPath"] in config["data"] and mounts["/etc/app/app.ini"]["readOnly"]


def test_secret_files_are_keys_of_the_secret_mounted_on_run_secrets(docs):
    objects, _ = docs
    pod = objects[("Deployment", "api")]["spec"]["template"]["spec"]
    secret = next(v for v in pod["volumes"] if v["name"] == "secrets")["secret"]
    assert secret["items"] == [{"key": "db_password", "path": "db_password"}]
    assert {"name": "secrets", "mountPath": "/run/secrets", "readOnly": True} in pod["containers"][0]["volumeMounts"]


def test_process_fields_and_exec_probes(docs):
    objects, _ = docs
    api = _container(objects[("Deployment", "api")])
    assert api["command"] == ["/usr/local/bin/python", "-u"] and api["args"] == ["-m", "http.server", "8000"]
    assert api["workingDir"] == "/srv"
    assert api["securityContext"]["runAsUser"] == 1000 and api["securityContext"]["runAsGroup"] == 1000
    assert api["securityContext"]["capabilities"] == {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}
    assert api["readinessProbe"]["exec"]["command"][0] == "python3"
    timing = {key: api["readinessProbe"][key] for key in ("periodSeconds", "timeoutSeconds", "failureThreshold")}
    assert timing == {"periodSeconds": 10, "timeoutSeconds": 2, "failureThreshold": 4}
    assert api["startupProbe"]["failureThreshold"] == 60 // 5 + 4  # the start period, then the retries
    worker = _container(objects[("Deployment", "worker")])
    assert worker["livenessProbe"]["exec"]["command"] == ["sh", "-c", "test -f /tmp/ok"]
    assert [p["name"] for p in objects[("Service", "api")]["spec"]["ports"]] == ["http", "tcp-9001", "udp-53"]
    ports = {p["name"]: p for p in objects[("Service", "api")]["spec"]["ports"]}
    assert ports["udp-53"]["protocol"] == "UDP" and ports["tcp-9001"]["port"] == 9001


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("./services/api/src", "is the service's code"),
        ("./conf", "is a directory (or missing)"),
        ("/var/run/docker.sock", "is a path on your machine outside the project"),
    ],
)
def test_other_bind_mounts_are_not_carried_and_say_why(make_project, source, why):
    spec = SPEC.replace("- uploads:/srv/uploads", f"- {source}:/srv/src")
    files, rendered = build_files(_project(make_project, spec), "staging", TAG, fmt="plain")
    api = _container(by_key(documents(files))[("Deployment", "api")])
    assert "/srv/src" not in [m["mountPath"] for m in api["volumeMounts"]]
    assert any(w.startswith(f"services.api.volumes: {source} is not carried: it {why}") for w in rendered.warnings)


def test_what_is_not_carried_is_named(docs):
    _, warnings = docs
    for key in ("services.api.env_file", "services.api.ports", "services.api.profiles"):
        assert any(w.startswith(key) for w in warnings), key


@pytest.mark.parametrize("version", K8S_VERSIONS[-2:])
def test_kubernetes_validate_strict(make_project, version):
    files, _ = build_files(_project(make_project), "staging", TAG, fmt="kustomize")
    for doc in documents(files):
        kv.validate(doc, version, strict=True)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("  worker:\n", "    depends_on: []\n  worker:\n    volumes: [uploads:/up]\n"), "services.api.volumes"),
        (("cap_add: [NET_BIND_SERVICE]", "cap_add: [NET_ADMIN]"), "services.api.cap_add"),
        (('user: "1000:1000"', "user: root"), "services.api.user"),
    ],
)
def test_what_cannot_run_is_refused_and_nothing_is_written(make_project, tmp_path: Path, change, key):
    project = _project(make_project, SPEC.replace(*change))
    with pytest.raises(UsageError, match=key):
        build_files(project, "staging", TAG, fmt="plain")
    out = tmp_path / "out"
    code, _, err = run_cli("-C", project.root, "export", "k8s", "--env", "staging", "--tag", TAG, "--out", out)
    assert code == 2
    assert key in err
    assert not out.exists()
