"""`devenv add service` and `devenv add dependency`: files, devenv.yaml edits, wiring, rollback."""

from __future__ import annotations

import textwrap

import pytest

from devenv.scaffold import add as add_module
from devenv.spec.loader import load_project


def spec_of(root):
    return load_project(root).spec


def test_add_backend_scaffolds_and_adds_postgres(new_project, cli):
    code, out, err = cli("-C", new_project, "add", "service", "api", "--template", "backend")
    assert code == 0, out + err
    assert "added dependency postgres (postgres)" in out
    service_dir = new_project / "services" / "api"
    for rel in ("Dockerfile", ".dockerignore", "app/main.py", "tests/test_health.py", ".copier-answers.yml"):
        assert (service_dir / rel).is_file(), rel
    spec = spec_of(new_project)
    api = spec.services["api"]
    assert (api.template, api.port, api.public, api.health) == ("backend", 8000, True, "/healthz")
    assert api.depends_on == ["postgres"] and api.test == ["pytest", "-q"]
    assert spec.dependencies["postgres"].kind == "postgres"
    answers = (service_dir / ".copier-answers.yml").read_text()
    assert "_src_path: devenv:backend" in answers and "_commit:" in answers
    assert list((new_project / ".devenv" / "templates").glob("backend-*.tar.gz"))
    assert not (new_project / ".devenv" / "tmp").exists()


def test_add_reuses_an_existing_dependency_of_the_kind(new_project, cli):
    assert cli("-C", new_project, "add", "dependency", "postgres", "--name", "db", "--version", "15")[0] == 0
    code, out, _ = cli("-C", new_project, "add", "service", "api", "--template", "backend")
    assert code == 0 and "added dependency" not in out
    spec = spec_of(new_project)
    assert spec.services["api"].depends_on == ["db"]
    assert set(spec.dependencies) == {"db"} and spec.dependencies["db"].version == "15"


def test_worker_adds_its_queue_and_wires_backends_to_it(new_project, cli):
    assert cli("-C", new_project, "add", "service", "api", "--template", "backend")[0] == 0
    code, out, _ = cli("-C", new_project, "add", "service", "jobs", "--template", "worker", "--queue", "rabbitmq")
    assert code == 0
    assert "added dependency rabbitmq (rabbitmq)" in out and "api now depends on rabbitmq" in out
    spec = spec_of(new_project)
    assert spec.services["jobs"].depends_on == ["rabbitmq", "postgres"]  # outcomes go to PostgreSQL
    assert spec.services["jobs"].public is False and spec.services["jobs"].health == "/healthz"
    assert spec.services["api"].depends_on == ["postgres", "rabbitmq"]
    assert "queue: rabbitmq" in (new_project / "services/jobs/.copier-answers.yml").read_text()


def test_a_backend_added_after_a_worker_enqueues_on_its_queue(new_project, cli):
    assert cli("-C", new_project, "add", "service", "jobs", "--template", "worker")[0] == 0
    assert cli("-C", new_project, "add", "service", "api", "--template", "backend")[0] == 0
    spec = spec_of(new_project)
    assert spec.services["jobs"].depends_on == ["redis"]
    assert spec.services["api"].depends_on == ["postgres", "redis"]


def test_frontend_depends_on_the_backend_and_proxies_to_it(new_project, cli):
    assert cli("-C", new_project, "add", "service", "core", "--template", "backend", "--port", "9000")[0] == 0
    code, out, err = cli("-C", new_project, "add", "service", "web", "--template", "frontend")
    assert code == 0, out + err
    web = spec_of(new_project).services["web"]
    assert (web.port, web.public, web.health, web.depends_on) == (5173, True, "/", ["core"])
    assert web.test == ["vitest", "run"]
    assert "'http://core:9000'" in (new_project / "services/web/vite.config.ts").read_text()


def test_frontend_without_a_backend_warns(new_project, cli):
    code, _, err = cli("-C", new_project, "add", "service", "web", "--template", "frontend")
    assert code == 0
    assert "no backend service yet" in err
    assert spec_of(new_project).services["web"].depends_on == []


def test_a_taken_host_port_moves_to_the_next_free_one(new_project, cli):
    assert cli("-C", new_project, "add", "service", "api", "--template", "backend")[0] == 0
    code, out, _ = cli("-C", new_project, "add", "service", "admin", "--template", "backend")
    assert code == 0 and "host port 8001" in out
    assert spec_of(new_project).services["admin"].published_port() == 8001


def test_comments_order_and_style_of_devenv_yaml_are_kept(new_project, cli):
    (new_project / "devenv.yaml").write_text(
        textwrap.dedent(
            """\
            # my project, my comments
            name: shop   # the compose project
            dependencies:
                # the database
                db: {kind: postgres, version: "15"}
            services:
                legacy:
                    image: python:3.11-slim   # prebuilt
                    depends_on:
                      - db
            """
        )
    )
    code, out, err = cli("-C", new_project, "add", "service", "api", "--template", "backend")
    assert code == 0, out + err
    text = (new_project / "devenv.yaml").read_text()
    assert text.startswith("# my project, my comments\nname: shop   # the compose project\n")
    assert "    # the database\n    db: {kind: postgres, version: \"15\"}\n" in text
    assert "image: python:3.11-slim   # prebuilt" in text
    assert text.index("dependencies:") < text.index("services:")  # order kept
    assert "        template: backend\n" in text  # the file's indentation
    assert "depends_on: [db]" in text


def test_an_existing_directory_is_not_overwritten_without_force(new_project, cli):
    mine = new_project / "services" / "api" / "app" / "main.py"
    mine.parent.mkdir(parents=True)
    mine.write_text("# mine\n")
    before = (new_project / "devenv.yaml").read_text()
    code, _, err = cli("-C", new_project, "add", "service", "api", "--template", "backend")
    assert code == 2 and "'services/api' already exists" in err
    assert mine.read_text() == "# mine\n"
    assert (new_project / "devenv.yaml").read_text() == before

    code, _, _ = cli("-C", new_project, "add", "service", "api", "--template", "backend", "--force")
    assert code == 0
    assert mine.read_text() != "# mine\n"


def test_an_existing_service_is_not_replaced_without_force(new_project, cli):
    assert cli("-C", new_project, "add", "service", "api", "--template", "backend")[0] == 0
    code, _, err = cli("-C", new_project, "add", "service", "api", "--template", "backend")
    assert code == 2 and "service 'api' already exists" in err


def test_a_spec_that_fails_validation_writes_nothing(new_project, cli):
    assert cli("-C", new_project, "add", "dependency", "postgres", "--host-port", "5432")[0] == 0
    before = (new_project / "devenv.yaml").read_text()
    code, _, err = cli("-C", new_project, "add", "service", "api", "--template", "backend", "--host-port", "5432")
    assert code == 2
    assert "host port 5432 is already used" in err
    assert (new_project / "devenv.yaml").read_text() == before
    assert not (new_project / "services" / "api").exists()
    assert not list((new_project / ".devenv").rglob("*.tar.gz"))


def test_a_render_failure_removes_the_half_scaffolded_directory(new_project, cli, monkeypatch):
    before = (new_project / "devenv.yaml").read_text()

    def broken(src, dst, data):
        (dst / "app").mkdir(parents=True)
        (dst / "app" / "half.py").write_text("")
        raise RuntimeError("disk full")

    monkeypatch.setattr(add_module, "copy_template", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        cli("-C", new_project, "add", "service", "api", "--template", "backend")
    assert (new_project / "devenv.yaml").read_text() == before
    assert not (new_project / "services").exists()
    assert not (new_project / ".devenv" / "tmp").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["api", "--template", "nope"], "unknown template 'nope'"),
        (["Api", "--template", "backend"], "'Api' is not a valid service name"),
        (["api", "--template", "backend", "--queue", "redis"], "--queue is for the worker template"),
        (["w", "--template", "worker", "--queue", "kafka"], "unknown queue 'kafka'"),
        (["w", "--template", "worker", "--host-port", "9000"], "not published on the host"),
        (["web", "--template", "frontend", "--backend", "nope"], "'nope' is not a service"),
    ],
)
def test_bad_input_is_a_usage_error(new_project, cli, args, message):
    code, _, err = cli("-C", new_project, "add", "service", *args)
    assert code == 2
    assert message in err
    assert not (new_project / "services").exists()


def test_add_dependency_keeps_comments(new_project, cli):
    code, out, _ = cli("-C", new_project, "add", "dependency", "redis", "--name", "cache", "--version", "7")
    assert code == 0 and "added dependency cache (redis)" in out
    text = (new_project / "devenv.yaml").read_text()
    assert text.startswith("# shop: the one spec")
    assert 'cache: {kind: redis, version: "7"}' in text
    assert spec_of(new_project).dependencies["cache"].version == "7"


def test_add_dependency_refuses_duplicates_and_unknown_kinds(new_project, cli):
    assert cli("-C", new_project, "add", "dependency", "redis")[0] == 0
    code, _, err = cli("-C", new_project, "add", "dependency", "redis")
    assert code == 2 and "'redis' already exists" in err
    code, _, err = cli("-C", new_project, "add", "dependency", "mongo")
    assert code == 2 and "unknown dependency kind 'mongo'" in err


def test_add_needs_a_project(tmp_path, cli):
    code, _, err = cli("-C", tmp_path, "add", "service", "api", "--template", "backend")
    assert code == 2 and "no devenv.yaml" in err
