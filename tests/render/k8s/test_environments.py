"""The `environments` section of devenv.yaml: located errors, and warnings for what a cluster ignores."""

from __future__ import annotations

import pytest

from devenv.errors import SpecError, UsageError
from devenv.render.k8s.render import render_k8s
from devenv.spec.loader import load_project
from tests.render.k8s.conftest import TAG

BASE = """\
name: shop
services:
  api: {port: 8000, public: true, depends_on: [db]}
  worker: {template: worker}
dependencies:
  db: {kind: postgres}
images: {registry: ghcr.io/acme}
environments:
"""


@pytest.fixture
def load(make_project):
    def run(environments: str, base: str = BASE):
        root = make_project(base + environments, {"services/api": "", "services/worker": ""})
        return load_project(root, environ={})

    return run


@pytest.mark.parametrize(
    ("environments", "message", "hint"),
    [
        (
            "  staging: {replicas: {apii: 2}}\n",
            "devenv.yaml:9:24: environments.staging.replicas.apii: 'apii' is not a service",
            "did you mean 'api'?",
        ),
        (
            "  staging: {replicas: {db: 2}}\n",
            ("devenv.yaml:9:24: environments.staging.replicas.db: 'db' is a dependency: "
             "a dependency runs one replica in a cluster"),
            None,
        ),
        (
            "  staging:\n    resources: {cache: {cpu: 1}}\n",
            "devenv.yaml:10:17: environments.staging.resources.cache: 'cache' is not a service or dependency",
            "services and dependencies: api, worker, db",
        ),
        (
            "  staging:\n    resources:\n      api: {storage: 1Gi}\n",
            ("devenv.yaml:11:13: environments.staging.resources.api.storage: "
             "'storage' sizes a dependency's data volume; 'api' is a service"),
            None,
        ),
        (
            "  production:\n    dependencies: {api: external}\n",
            "devenv.yaml:10:20: environments.production.dependencies.api: 'api' is not a dependency",
            "'api' is a service; only dependencies can be external",
        ),
        (
            "  production:\n    dependencies: {db: managed}\n",
            ("devenv.yaml:10:24: environments.production.dependencies.db: "
             "the text 'managed' is not one of: cluster, external"),
            None,
        ),
        (
            "  staging:\n    resources: {api: {cpu: 2 cores}}\n",
            ("devenv.yaml:10:28: environments.staging.resources.api.cpu: '2 cores' is not a CPU amount: "
             "use millicores like '250m' or cores like '0.5' or '2'"),
            None,
        ),
        (
            "  staging:\n    resources: {api: {memory: 1Gi, memory_limit: 512Mi}}\n",
            "devenv.yaml:10:22: environments.staging.resources.api: 'memory_limit' (512Mi) is less than 'memory' (1Gi)",
            None,
        ),
        (
            "  staging: {domain: Shop.Example.com}\n",
            ("devenv.yaml:9:21: environments.staging.domain: 'Shop.Example.com' is not a valid domain: "
             "dot-separated lower-case labels of letters, digits and '-'"),
            None,
        ),
        (
            "  staging: {fixtures: yes}\n",
            "devenv.yaml:9:23: environments.staging.fixtures: expected true or false, got the text 'yes'",
            None,
        ),
        (
            "  Staging: {}\n",
            ("devenv.yaml:9:3: environments.Staging: 'Staging' is not a valid name: "
             "use lower-case letters, digits and '-', starting and ending with a letter or digit (DNS-1123 label)"),
            None,
        ),
        (
            "  staging: {replica: {api: 2}}\n",
            "devenv.yaml:9:13: environments.staging.replica: unknown key",
            "did you mean 'replicas'?",
        ),
    ],
)
def test_environment_errors_are_located(load, environments, message, hint):
    with pytest.raises(SpecError) as caught:
        load(environments)
    assert str(caught.value) == message
    if hint:
        assert caught.value.hint == hint


def test_valid_environment_loads(load):
    project = load(
        "  staging:\n"
        "    domain: staging.example.com\n"
        "    replicas: {api: 2, worker: 0}\n"
        "    resources: {api: {cpu: 1, memory: 512Mi, cpu_limit: '2'}, db: {storage: 10Gi}}\n"
        "    dependencies: {db: cluster}\n"
    )
    env = project.spec.environments["staging"]
    assert env.resources["api"].cpu == "1" and env.resources["api"].cpu_limit == "2"
    assert env.replicas == {"api": 2, "worker": 0}


def test_unknown_environment_is_a_usage_error_listing_the_known_ones(load):
    project = load("  staging: {}\n  production: {}\n")
    with pytest.raises(UsageError) as caught:
        render_k8s(project, "prod", TAG)
    assert str(caught.value) == "unknown environment 'prod'"
    assert caught.value.hint == "environments in devenv.yaml: staging, production"
    assert caught.value.exit_code == 2


def test_no_environments_at_all(load):
    project = load("", base=BASE.replace("environments:\n", ""))
    with pytest.raises(UsageError, match=r"devenv\.yaml has no environments"):
        render_k8s(project, "staging", TAG)


def test_built_service_needs_a_registry(load):
    project = load("  staging: {}\n", base=BASE.replace("images: {registry: ghcr.io/acme}\n", ""))
    with pytest.raises(UsageError) as caught:
        render_k8s(project, "staging", TAG)
    assert "devenv.yaml names no registry for production images" in str(caught.value)
    assert "images: {registry: ghcr.io/ORG}" in caught.value.hint


# --- warnings: what has no meaning in a cluster is said, in the spec's own terms -------------

WARNING_CASES = [
    (
        "services: {api: {port: 8000, public: true, host_port: 18000}}",
        ("services.api.host_port: a port on your machine has no meaning in a cluster; "
         "public services are reached through an Ingress"),
    ),
    (
        "services: {api: {port: 8000, public: true}}",
        ("services.api.public: environment 'staging' has no domain, so 'api' gets no Ingress; "
         "set environments.staging.domain"),
    ),
    (
        "services: {api: {port: 8000, target: dev}}",
        ("services.api.target: 'dev' is the stage for local builds; the cluster runs the image from images.registry, "
         "built from the Dockerfile's production stage"),
    ),
    (
        "services: {api: {port: 8000, env: {DEBUG: 'true'}}}",
        "services.api.env.DEBUG: 'DEBUG=true' is a development setting; it is left out of the cluster manifests",
    ),
    (
        "services: {api: {port: 8000, env: {STRIPE_SECRET_KEY: sk_test}}}",
        ("services.api.env.STRIPE_SECRET_KEY: looks like a secret, so its value in devenv.yaml stays on your machine; "
         "the cluster reads it from Secret shop-staging-secrets (key STRIPE_SECRET_KEY)"),
    ),
    (
        ("services: {api: {port: 8000, depends_on: [db], env: {DATABASE_URL: 'postgresql://x'}}}\n"
         "dependencies: {db: {kind: postgres}}"),
        ("services.api.env.DATABASE_URL: in a cluster this variable comes from Secret shop-staging-secrets "
         "(key DB_URL), not from devenv.yaml"),
    ),
    (
        "services: {api: {port: 8000}}\ndependencies: {db: {kind: postgres, host_port: 15432}}",
        ("dependencies.db.host_port: a port on your machine has no meaning in a cluster; "
         "use `kubectl port-forward svc/db 15432:5432`"),
    ),
    (
        "services: {api: {port: 8000}, worker: {template: worker}, web: {port: 80, depends_on: [worker]}}",
        ("services.web.depends_on: 'worker' has no port, so nothing in the cluster can wait for it; "
         "'web' starts without waiting"),
    ),
    (
        "services: {api: {port: 8000}}\nca_certificates: ca.pem",
        "ca_certificates: trusted by local builds only; the cluster runs the images your CI built and pushed",
    ),
]


@pytest.mark.parametrize(("body", "warning"), WARNING_CASES, ids=[w.split(":")[0] for _, w in WARNING_CASES])
def test_fields_without_cluster_meaning_warn(make_project, body, warning):
    dirs = {"services/api": "", "services/worker": "", "services/web": ""}
    root = make_project(
        f"name: shop\n{body}\nimages: {{registry: r.example.com}}\nenvironments: {{staging: {{}}}}\n", dirs
    )
    (root / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    rendered = render_k8s(load_project(root, environ={}), "staging", TAG)
    assert warning in rendered.warnings


def test_external_dependency_with_resources_warns(make_project):
    root = make_project(
        "name: shop\nservices: {api: {port: 8000, depends_on: [db]}}\ndependencies: {db: {kind: postgres}}\n"
        "images: {registry: r.example.com}\n"
        "environments: {production: {dependencies: {db: external}, resources: {db: {storage: 5Gi}}}}\n",
        {"services/api": ""},
    )
    rendered = render_k8s(load_project(root, environ={}), "production", TAG)
    assert (
        "environments.production.resources.db: 'db' is external in 'production', so devenv runs nothing for it "
        "and these resources have no effect"
    ) in rendered.warnings


def test_dockerfile_without_prod_stage_warns(make_project):
    root = make_project(
        "name: shop\nservices: {api: {port: 8000}}\nimages: {registry: r.example.com}\nenvironments: {staging: {}}\n",
        {"services/api": "FROM python:3.12-slim AS dev\n"},
    )
    rendered = render_k8s(load_project(root, environ={}), "staging", TAG)
    assert any(w.startswith("services/api/Dockerfile has no 'prod' stage") for w in rendered.warnings)


def test_example_warnings(example):
    from devenv.export import build_files

    _, rendered = build_files(example, "staging", TAG)
    assert rendered.warnings == [
        ("services.api.develop: code mounts and hot reload are for development; "
         "the cluster runs the code baked into the image"),
        ("services.api.target: 'dev' is the stage for local builds; the cluster runs the image from images.registry, "
         "built from the Dockerfile's production stage"),
    ]
