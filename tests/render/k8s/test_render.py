"""The Kubernetes export as data: golden files, and the properties the issue asks for on every object."""

from __future__ import annotations

from pathlib import Path

import pytest

from devenv.export import build_files
from devenv.render.k8s.kustomize import json_patch
from devenv.render.k8s.render import render_k8s
from tests.render.k8s.conftest import (
    TAG,
    by_key,
    containers,
    documents,
    files_text,
    load_yaml,
    plain_documents,
    pod_spec,
)

HERE = Path(__file__).parent
LABELS = ("name", "instance", "component", "part-of", "version", "managed-by")


# --- golden files -------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["staging", "production"])
def test_example_kustomize_golden(example, golden, env, stub_fixture_files):
    files, _ = build_files(example, env, TAG)
    golden(HERE, f"shop-{env}.kustomize.txt", files_text(files))


@pytest.mark.parametrize("env", ["staging", "production"])
def test_example_plain_golden(example, golden, env, stub_fixture_files):
    files, _ = build_files(example, env, TAG, fmt="plain")
    golden(HERE, f"shop-{env}.plain.txt", files_text(files))


@pytest.mark.parametrize(("case", "env"), [("no-public", "prod"), ("external", "production"), ("worker-only", "prod")])
def test_edge_case_golden(edge, golden, case, env):  # fixtures on/off: test_fixtures_*
    files, rendered = build_files(edge(case), env, TAG)
    golden(HERE, f"{case}.kustomize.txt", files_text(files) + "### warnings\n" + "\n".join(rendered.warnings) + "\n")


def test_fixtures_on_golden(edge, golden, stub_seed_scripts):
    files, rendered = build_files(edge("fixtures"), "staging", TAG, fmt="plain")
    golden(HERE, "fixtures-on.plain.txt", files_text(files) + "### warnings\n" + "\n".join(rendered.warnings) + "\n")


def test_fixtures_jobs_seed_like_devenv_up(edge):
    files, rendered = build_files(edge("fixtures"), "staging", TAG, fmt="plain")
    assert rendered.warnings == [
        ("fixtures.queue: rabbitmq fixtures are not loaded in a cluster (the seeding needs the node's Erlang cookie); "
         "import them with rabbitmqctl")
    ]
    docs = by_key(documents(files))
    jobs = {
        doc["metadata"]["labels"]["app.kubernetes.io/name"]: doc for (kind, _), doc in docs.items() if kind == "Job"
    }
    assert sorted(jobs) == ["cache-fixtures", "db-fixtures"]
    job = jobs["db-fixtures"]
    assert job["metadata"]["name"].startswith("db-fixtures-")
    pod = pod_spec(job)
    assert [c["name"] for c in pod["initContainers"]] == ["wait-for-db"]  # runs after the dependency is ready
    assert pod["restartPolicy"] == "Never"
    seed = pod["containers"][0]
    assert seed["image"] == "postgres:16" and seed["command"] == ["sh", "/devenv/seed.sh"]
    env = {e["name"]: e for e in seed["env"]}
    assert env["PGHOST"]["value"] == "db" and env["PGDATABASE"]["value"] == "shop"
    assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "shop-staging-secrets", "key": "DB_PASSWORD"}
    config = docs[("ConfigMap", job["metadata"]["name"])]
    from devenv.kinds.programs import seed_program

    assert sorted(config["data"]) == ["001_schema.sql", "010_item.csv"]  # README.md is no fixture
    program = docs[("ConfigMap", job["metadata"]["name"] + "-program")]
    assert program["data"] == seed_program("postgres")  # the same program as `devenv up`
    assert {"name": "script", "configMap": {"name": program["metadata"]["name"]}} in pod["volumes"]
    policy = docs[("NetworkPolicy", "db-fixtures")]
    assert policy["spec"]["egress"][0]["ports"] == [{"protocol": "TCP", "port": 5432}]
    ingress = docs[("NetworkPolicy", "db")]["spec"]["ingress"][0]["from"]
    assert [peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for peer in ingress] == ["api", "db-fixtures"]


def test_fixtures_off_golden(edge, golden, stub_seed_scripts):
    files, rendered = build_files(edge("fixtures"), "production", TAG, fmt="plain")
    golden(HERE, "fixtures-off.plain.txt", files_text(files))
    assert not [doc for doc in documents(files) if doc["kind"] == "Job"] and rendered.warnings == []


def test_fixtures_job_name_follows_content(edge):
    project = edge("fixtures")
    first = next(d for d in plain_documents(project, "staging") if d["kind"] == "Job")["metadata"]["name"]
    (project.root / "fixtures" / "cache" / "001_flags.redis").write_text("SET feature:new-checkout off\n")
    second = next(d for d in plain_documents(project, "staging") if d["kind"] == "Job")["metadata"]["name"]
    assert first != second  # Jobs are immutable: new fixtures, new Job


def test_fixtures_job_pod_template_does_not_change_with_the_tag(edge):
    """A Job's pod template is immutable: a new commit's export must apply over the previous one."""
    project = edge("fixtures")

    def job(tag):
        docs = [d for d in build_documents(project, "staging", tag) if d["kind"] == "Job"]
        return docs[0]

    first, second = job("aaaaaaaaaaaa"), job("bbbbbbbbbbbb")
    assert first["spec"]["template"] == second["spec"]["template"]
    assert first["metadata"]["name"].endswith("-" + first["metadata"]["labels"]["app.kubernetes.io/version"])


def test_fixtures_off_external_or_unconfigured(edge, make_project):
    project = edge("fixtures")
    assert not [d for d in plain_documents(project, "production") if d["kind"] == "Job"]
    managed = render_k8s(project, "managed", TAG)
    assert "fixtures.db: 'db' is external in 'managed'; devenv seeds only the dependencies it runs" in managed.warnings
    from devenv.spec.loader import load_project

    root = make_project(
        "name: shop\nservices: {api: {port: 8000}}\nimages: {registry: r.example.com}\n"
        "environments: {staging: {fixtures: true}}\n",
        {"services/api": ""},
    )
    rendered = render_k8s(load_project(root, environ={}), "staging", TAG)
    assert not [m for m in rendered.manifests if m.data["kind"] == "Job"]
    assert "environments.staging.fixtures: devenv.yaml configures no fixtures, so no fixtures Job is made" in (
        rendered.warnings
    )


# --- properties on every object of every environment ---------------------------------------


def build_documents(project, env, tag):
    files, _ = build_files(project, env, tag, fmt="plain")
    return documents(files)


def all_example_documents(example):
    return {env: plain_documents(example, env) for env in example.spec.environments}


def test_every_object_has_the_recommended_labels(example, edge):
    projects = [(example, env) for env in example.spec.environments] + [
        (edge("no-public"), "prod"),
        (edge("worker-only"), "prod"),
        (edge("external"), "production"),
    ]
    for project, env in projects:
        for doc in plain_documents(project, env):
            for where, meta in [("metadata", doc["metadata"])] + (
                [("template", doc["spec"]["template"]["metadata"])] if pod_spec(doc) else []
            ):
                missing = [label for label in LABELS if f"app.kubernetes.io/{label}" not in meta["labels"]]
                assert not missing, f"{doc['kind']}/{doc['metadata']['name']} {where} lacks {missing}"
            assert doc["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "devenv"
            assert doc["metadata"]["labels"]["app.kubernetes.io/instance"] == f"{project.name}-{env}"
            assert doc["metadata"]["namespace"]


def test_every_pod_is_hardened(example, edge):
    for project, env in [(example, "staging"), (example, "production"), (edge("worker-only"), "prod")]:
        for doc in plain_documents(project, env):
            pod = pod_spec(doc)
            if pod is None:
                continue
            assert pod["securityContext"]["runAsNonRoot"] is True
            assert pod["securityContext"]["runAsUser"] >= 10000
            assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
            assert pod["automountServiceAccountToken"] is False
            volumes = {v["name"]: v for v in pod["volumes"]}
            assert all(set(v) & {"emptyDir", "configMap"} for v in volumes.values()), "no hostPath, no code mounts"
            for container in containers(doc):
                context = container["securityContext"]
                assert context["allowPrivilegeEscalation"] is False
                assert context["readOnlyRootFilesystem"] is True
                assert context["capabilities"] == {"drop": ["ALL"]}
                assert context["runAsNonRoot"] is True
                assert container["resources"]["requests"] and container["resources"]["limits"]
                if container["name"] in pod_containers_names(pod):
                    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
                    assert volumes[mounts["/tmp"]] == {"name": "tmp", "emptyDir": {}}


def pod_containers_names(pod):
    return [c["name"] for c in pod["containers"]]


def test_deployments_roll_out_safely_with_probes_from_health(example):
    for env, docs in all_example_documents(example).items():
        deployment = by_key(docs)[("Deployment", "api")]
        spec = deployment["spec"]
        assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
        assert spec["revisionHistoryLimit"] >= 2  # `kubectl rollout undo` has something to go back to
        assert spec["replicas"] == example.spec.environments[env].replicas["api"]
        api = spec["template"]["spec"]["containers"][0]
        for probe in ("livenessProbe", "startupProbe"):
            assert api[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert api["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}  # `ready:` in the spec
        assert api["image"] == f"ghcr.io/acme/shop-api:{TAG}"


def test_environment_resources_and_replicas(example):
    docs = all_example_documents(example)
    staging_api = by_key(docs["staging"])[("Deployment", "api")]["spec"]["template"]["spec"]["containers"][0]
    assert staging_api["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "250m", "memory": "256Mi"},
    }
    production = by_key(docs["production"])
    cache = production[("StatefulSet", "cache")]["spec"]
    assert cache["template"]["spec"]["containers"][0]["resources"]["requests"]["memory"] == "256Mi"
    assert cache["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "2Gi"
    assert production[("PodDisruptionBudget", "api")]["spec"]["maxUnavailable"] == 1


def test_objects_exist_only_where_they_mean_something(example, edge):
    staging = by_key(plain_documents(example, "staging"))
    assert ("Ingress", "api") in staging and ("Service", "api") in staging
    ingress = staging[("Ingress", "api")]["spec"]
    assert ingress["rules"][0]["host"] == "api.staging.shop.example.com"
    assert ingress["tls"][0]["hosts"] == ["api.staging.shop.example.com"]

    inner = by_key(plain_documents(edge("no-public"), "prod"))
    assert not [key for key in inner if key[0] == "Ingress"]
    assert not [key for key in inner if key[0] == "PodDisruptionBudget"]  # one replica: no budget
    assert inner[("Deployment", "docs")]["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "mirror.example.com/ghcr/acme/docs:2.1"
    )
    assert all(doc["metadata"]["namespace"] == "inner" for doc in inner.values())

    jobs = by_key(plain_documents(edge("worker-only"), "prod"))
    assert ("Service", "worker") not in jobs  # workers have no Service
    assert ("PodDisruptionBudget", "worker") in jobs
    worker = jobs[("Deployment", "worker")]["spec"]["template"]["spec"]["containers"][0]
    assert "readinessProbe" not in worker and "ports" not in worker
    assert worker["args"] == ["python", "-m", "worker", "--queue", "$$(QUEUE)"]  # literal, not expanded


def test_start_order_survives(example, edge):
    staging = by_key(plain_documents(example, "staging"))
    waits = staging[("Deployment", "api")]["spec"]["template"]["spec"]["initContainers"]
    assert [w["name"] for w in waits] == ["wait-for-db", "wait-for-cache"]
    assert "nc -z -w 2 db 5432" in waits[0]["command"][2]
    inner = by_key(plain_documents(edge("no-public"), "prod"))
    waits = inner[("Deployment", "api")]["spec"]["template"]["spec"]["initContainers"]
    assert [w["name"] for w in waits] == ["wait-for-cache", "wait-for-docs"]  # services too
    production = by_key(plain_documents(example, "production"))
    waits = production[("Deployment", "api")]["spec"]["template"]["spec"]["initContainers"]
    assert [w["name"] for w in waits] == ["wait-for-cache"]  # an external database is not waited for


def test_configuration_and_secrets(example, edge):
    staging = by_key(plain_documents(example, "staging"))
    assert staging[("ConfigMap", "api-config")]["data"] == {"LOG_LEVEL": "info"}
    api = staging[("Deployment", "api")]["spec"]["template"]["spec"]["containers"][0]
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in api["env"]}
    assert refs["DATABASE_URL"] == {"name": "shop-staging-secrets", "key": "DB_URL"}
    assert refs["REDIS_URL"] == {"name": "shop-staging-secrets", "key": "CACHE_URL"}
    assert api["envFrom"] == [{"configMapRef": {"name": "api-config"}}]
    db = staging[("StatefulSet", "db")]["spec"]["template"]["spec"]["containers"][0]
    db_env = {e["name"]: e for e in db["env"]}
    assert db_env["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "shop-staging-secrets",
        "key": "DB_PASSWORD",
    }
    assert not [key for key in staging if key[0] == "Secret"]

    jobs_files, _ = build_files(edge("worker-only"), "prod", TAG, fmt="plain")
    text = "".join(jobs_files.values())
    assert "dev-token" not in text  # a secret's value in devenv.yaml never reaches the manifests
    assert "DEBUG" not in text  # nor do debug switches
    assert "API_TOKEN=" in jobs_files["secrets.example"]
    worker_config = by_key(documents(jobs_files))[("ConfigMap", "worker-config")]["data"]
    assert worker_config == {"QUEUE": "emails", "SMTP_HOST": "mail.example.com"}


def test_secrets_example_lists_every_key(example):
    files, rendered = build_files(example, "production", TAG)
    example_text = files["overlays/production/secrets.example"]
    keys = [line.split("=")[0] for line in example_text.splitlines() if line and not line.startswith("#")]
    assert keys == sorted(rendered.secret_keys) == ["CACHE_URL", "DB_URL"]
    assert "DB_URL=postgresql://USER:PASSWORD@HOST:5432/shop" in example_text  # external: the user's host
    assert "kubectl -n shop-production create secret generic shop-production-secrets" in example_text


def test_network_policies_deny_by_default_and_allow_the_graph(example, edge):
    staging = by_key(plain_documents(example, "staging"))
    deny = staging[("NetworkPolicy", "shop-default-deny")]["spec"]
    assert deny == {
        "podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "shop"}},
        "policyTypes": ["Ingress", "Egress"],
    }
    api = staging[("NetworkPolicy", "api")]["spec"]
    assert api["ingress"] == [{"ports": [{"protocol": "TCP", "port": 8000}]}]  # public: from the ingress controller
    assert [rule["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for rule in api["egress"]] == [
        "db",
        "cache",
    ]
    db = staging[("NetworkPolicy", "db")]["spec"]
    assert db["policyTypes"] == ["Ingress"] and "egress" not in db
    assert db["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 5432}]

    external = by_key(plain_documents(edge("external"), "production"))
    egress = external[("NetworkPolicy", "api")]["spec"]["egress"]
    assert {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"protocol": "TCP", "port": 5432}]} in egress
    assert ("StatefulSet", "db") not in external and ("Service", "db") not in external
    assert ("NetworkPolicy", "db") not in external

    inner = by_key(plain_documents(edge("no-public"), "prod"))
    docs_policy = inner[("NetworkPolicy", "docs")]["spec"]
    assert docs_policy["ingress"][0]["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "api"
    assert "egress" not in docs_policy


def test_nothing_dev_only_reaches_the_manifests(example):
    for docs in all_example_documents(example).values():
        for doc in docs:
            for container in containers(doc):
                assert not container["image"].endswith((":dev", ":latest"))
                assert "--reload" not in " ".join(container.get("args", []) + container.get("command", []))


def test_reloader_commands_are_dropped(make_project):
    from devenv.spec.loader import load_project

    root = make_project(
        """\
        name: app
        services:
          api: {port: 8000, command: [uvicorn, main:app, --reload], env: {NODE_ENV: development}}
        images: {registry: r.example.com}
        environments: {prod: {}}
        """,
        {"services/api": ""},
    )
    rendered = render_k8s(load_project(root, environ={}), "prod", TAG)
    deployment = next(m.data for m in rendered.manifests if m.data["kind"] == "Deployment")
    assert "args" not in deployment["spec"]["template"]["spec"]["containers"][0]
    assert any("services.api.command: runs a reloader ('--reload')" in w for w in rendered.warnings)
    assert any(
        "services.api.env.NODE_ENV: 'NODE_ENV=development' is a development setting" in w for w in rendered.warnings
    )


def test_determinism(example):
    first, _ = build_files(example, "staging", TAG)
    build_files(example, "production", TAG)
    second, _ = build_files(example, "staging", TAG)
    assert first == second
    assert list(first) == sorted(first)


def test_base_is_shared_by_every_environment(example):
    staging, _ = build_files(example, "staging", TAG)
    production, _ = build_files(example, "production", TAG)
    assert {k: v for k, v in staging.items() if k.startswith("base/")} == {
        k: v for k, v in production.items() if k.startswith("base/")
    }
    assert not [k for k in staging if k.startswith("overlays/production/")]


def test_base_has_no_environment(example):
    files, _ = build_files(example, "staging", TAG)
    base_docs = documents({k: v for k, v in files.items() if k.startswith("base/")})
    assert all("namespace" not in doc["metadata"] for doc in base_docs)
    assert not [doc for doc in base_docs if doc["kind"] in ("Ingress", "Secret")]


# --- the overlay is the difference ---------------------------------------------------------


def test_json_patch():
    old = {"a": 1, "b": {"c": [1, 2], "d": "x"}, "gone": True, "l": [{"n": 1}]}
    new = {"a": 2, "b": {"c": [1, 2, 3], "d": "x"}, "added": {"k/v": 1}, "l": [{"n": 2}]}
    assert json_patch(old, new) == [
        {"op": "remove", "path": "/gone"},
        {"op": "replace", "path": "/a", "value": 2},
        {"op": "replace", "path": "/b/c", "value": [1, 2, 3]},
        {"op": "add", "path": "/added", "value": {"k/v": 1}},
        {"op": "replace", "path": "/l/0/n", "value": 2},
    ]
    assert json_patch({"a~b/c": 1}, {"a~b/c": 2}) == [{"op": "replace", "path": "/a~0b~1c", "value": 2}]
    assert json_patch({"x": True}, {"x": 1}) == [{"op": "replace", "path": "/x", "value": 1}]


def test_overlay_applies_to_plain_in_python(example, edge):
    """Apply the overlay the way kustomize does (namespace, instance label, patches) and compare with plain."""
    for project, env in [(example, "staging"), (example, "production"), (edge("external"), "production")]:
        files, _ = build_files(project, env, TAG)
        assert by_key(apply_overlay(files, env)) == by_key(plain_documents(project, env))


def apply_overlay(files, env):
    import yaml

    from devenv.render.k8s.kustomize import as_overlay_sees

    prefix = f"overlays/{env}/"
    kustomization = yaml.safe_load(files[prefix + "kustomization.yaml"])
    instance = kustomization["labels"][0]["pairs"]["app.kubernetes.io/instance"]
    base = documents({k: v for k, v in files.items() if k.startswith("base/")})
    objects = by_key([as_overlay_sees(doc, kustomization["namespace"], instance) for doc in base])
    for entry in kustomization.get("patches", []):
        patch = yaml.safe_load(files[prefix + entry["path"]])
        if isinstance(patch, dict) and patch.get("$patch") == "delete":
            del objects[(patch["kind"], patch["metadata"]["name"])]
            continue
        doc = objects[(entry["target"]["kind"], entry["target"]["name"])]
        for op in patch:
            apply_op(doc, op)
    for resource in kustomization["resources"][1:]:
        objects.update(by_key(load_yaml(files[prefix + resource])))
    return list(objects.values())


def apply_op(doc, op):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
    parent = doc
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = int(parts[-1]) if isinstance(parent, list) else parts[-1]
    if op["op"] == "remove":
        del parent[last]
    else:
        parent[last] = op["value"]
