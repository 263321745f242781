"""Credentials a spec names (``user``, ``password``, ``database``): each kind takes what it has.

They reach the image's environment, the health check, the URL services get, seeding and
records, snapshots' client, ``status``'s host URL and the Kubernetes export, where the
password stays in the environment's Secret.
"""

from __future__ import annotations

import pytest
from kubernetes_validate import utils as kv

from devenv import kinds
from devenv.errors import SpecError
from devenv.render.compose import render_compose
from devenv.spec.loader import load_project
from tests.render.k8s.conftest import K8S_VERSIONS, by_key, plain_documents

CREDENTIALS = {"user": "shopper", "password": "s3cret-pw", "database": "orders"}
TAKES = {name: kind.settings & set(CREDENTIALS) for name, kind in kinds.kinds().items()}
# What the image's environment holds for each (user, password, database).
IMAGE_ENV = {
    "postgres": ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"),
    "mysql": ("MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DATABASE"),
    "mariadb": ("MARIADB_USER", "MARIADB_PASSWORD", "MARIADB_DATABASE"),
    "mongodb": ("MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD", "MONGO_INITDB_DATABASE"),
    "rabbitmq": ("RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS", None),
}


def spec(kind: str, settings: dict[str, str]) -> str:
    given = ", ".join(f"{key}: {value}" for key, value in settings.items())
    return (
        "name: my-shop\nservices:\n  api:\n    port: 8000\n    depends_on: [dep]\n"
        f"dependencies:\n  dep: {{kind: {kind}, host_port: 15000, {given}}}\n"
        "images: {registry: ghcr.io/acme}\nenvironments:\n  prod: {}\n"
    )


def test_the_kinds_with_credentials_take_them():
    assert {name for name, taken in TAKES.items() if taken} == set(IMAGE_ENV)
    assert TAKES["rabbitmq"] == {"user", "password"}  # the vhost stays '/'
    assert not TAKES["redis"] and not TAKES["memcached"] and not TAKES["valkey"]


@pytest.mark.parametrize("name", sorted(IMAGE_ENV))
def test_credentials_reach_the_image_health_check_url_and_seeding(make_project, name):
    given = {key: CREDENTIALS[key] for key in sorted(TAKES[name])}
    project = load_project(make_project(spec(name, given), {"services/api": ""}), environ={})
    kind = kinds.kind_of(project.spec.dependencies["dep"])
    data = render_compose(project).data
    env = data["services"]["dep"]["environment"]
    user_var, password_var, database_var = IMAGE_ENV[name]
    assert env[user_var] == "shopper" and env[password_var] == "s3cret-pw"
    if database_var:
        assert env[database_var] == "orders"
    url = data["services"]["api"]["environment"]["DEP_URL"]
    assert "shopper:s3cret-pw@dep:" in url and ("/orders" in url) == bool(database_var)
    assert "devenv" not in url
    check = " ".join(data["services"]["dep"]["healthcheck"]["test"])
    assert "devenv" not in check and ("orders" in check) == (name == "postgres")
    assert kind.host_url(15000, "my-shop").startswith(url.split("@")[0].replace("dep", "localhost"))
    if kind.seeds:
        seeding = list(kind.seed_environment("my-shop", "dep", "dep").values())
        argv, records_env = kind.records_command("my-shop", "dep")
        assert "devenv" not in [*seeding, *argv, *records_env.values()]  # devenv's user and password
        if kind.seed_secrets:  # its seeding logs in (RabbitMQ's uses the node's cookie)
            assert {"shopper", "s3cret-pw", "orders"} <= {*seeding, *argv, *records_env.values()}


@pytest.mark.parametrize("name", sorted(IMAGE_ENV))
def test_kubernetes_keeps_the_password_in_the_secret(make_project, name):
    given = {key: CREDENTIALS[key] for key in sorted(TAKES[name])}
    documents = plain_documents(load_project(make_project(spec(name, given), {"services/api": ""}), environ={}), "prod")
    assert "s3cret-pw" not in str(documents)
    (container,) = by_key(documents)[("StatefulSet", "dep")]["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item for item in container["env"]}
    user_var, password_var, database_var = IMAGE_ENV[name]
    assert env[password_var]["valueFrom"]["secretKeyRef"]["key"] == "DEP_PASSWORD"
    assert env[user_var]["valueFrom"]["secretKeyRef"]["key"] == "DEP_USER"
    if database_var:
        assert env[database_var] == {"name": database_var, "value": "orders"}
    for version in K8S_VERSIONS[-1:]:
        for doc in documents:
            kv.validate(doc, version, strict=True)


@pytest.mark.parametrize(
    ("dependency", "where", "message"),
    [
        ("{kind: redis, password: x}", "3:22: dependencies.dep.password", "a redis dependency has no setting"),
        ("{kind: rabbitmq, database: x}", "3:25: dependencies.dep.database", "has no setting 'database'"),
        ("{kind: mysql, user: root}", "3:28: dependencies.dep.user", "keeps 'root' for itself"),
        ("{kind: postgres, password: 'a b'}", "dependencies.dep.password", "goes into connection URLs"),
        ("{kind: postgres, database: 1st}", "dependencies.dep.database", "not a plain name"),
    ],
)
def test_credentials_a_kind_does_not_take_are_errors_at_their_line(make_project, dependency, where, message):
    root = make_project(f"name: shop\ndependencies:\n  dep: {dependency}\n")
    with pytest.raises(SpecError) as caught:
        load_project(root, environ={})
    assert where in str(caught.value) and message in str(caught.value), str(caught.value)


def test_default_credentials_are_unchanged(make_project):
    project = load_project(make_project("name: my-shop\ndependencies:\n  db: {kind: postgres}\n"), environ={})
    kind = kinds.kind_of(project.spec.dependencies["db"])
    assert kind is kinds.get("postgres")
    assert kind.url("db", "my-shop") == "postgresql://devenv:devenv@db:5432/my_shop"


def test_status_shows_the_host_url_with_the_specs_credentials(make_project):
    from devenv.runtime.plan import desired_from_compose
    from devenv.runtime.status import urls

    text = "name: my-shop\ndependencies:\n  db: {kind: postgres, host_port: 15432, user: shopper, password: pw}\n"
    desired = desired_from_compose(render_compose(load_project(make_project(text), environ={})).data)
    assert urls(desired["db"]) == ["postgresql://shopper:pw@localhost:15432/my_shop"]
    plain = "name: my-shop\ndependencies:\n  db: {kind: postgres, host_port: 15432}\n"
    desired = desired_from_compose(render_compose(load_project(make_project(plain), environ={})).data)
    assert desired["db"].host_url is None  # devenv's credentials: the kind's URL, no label
    assert urls(desired["db"]) == ["postgresql://devenv:devenv@localhost:15432/my_shop"]


@pytest.mark.parametrize(
    ("name", "env", "expect"),
    [
        (
            "postgres",
            {"POSTGRES_USER": "shop", "POSTGRES_PASSWORD": "x"},
            {"user": "shop", "password": "x", "database": "shop"},
        ),
        ("postgres", {"POSTGRES_PASSWORD": "x"}, {}),  # the image's default user: left raw
        (
            "mysql",
            {"MYSQL_USER": "a", "MYSQL_PASSWORD": "b", "MYSQL_DATABASE": "c"},
            {"user": "a", "password": "b", "database": "c"},
        ),
        ("mysql", {"MYSQL_USER": "a", "MYSQL_PASSWORD": "b"}, {}),  # no database: the image creates none
        (
            "mariadb",
            {"MARIADB_USER": "a", "MARIADB_PASSWORD": "b", "MARIADB_DATABASE": "c"},
            {"user": "a", "password": "b", "database": "c"},
        ),
        ("rabbitmq", {"RABBITMQ_DEFAULT_USER": "g", "RABBITMQ_DEFAULT_PASS": "g"}, {"user": "g", "password": "g"}),
        ("redis", {"REDIS_PASSWORD": "x"}, {}),
    ],
)
def test_import_reads_the_credentials_from_the_images_own_variables(name, env, expect):
    assert kinds.get(name).credentials_in(env) == expect
