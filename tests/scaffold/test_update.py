"""`devenv update`: template changes come in, local edits stay, conflicts are reported by file.

These tests change a private copy of the templates (DEVENV_TEMPLATES), as a new
devenv release would, and run the real Copier update (git, three-way merge)."""

from __future__ import annotations

from devenv.scaffold.render import read_answers
from devenv.scaffold.templates import template_version


def scaffold(cli, root, name="api", template="backend"):
    code, out, err = cli("-C", root, "add", "service", name, "--template", template)
    assert code == 0, out + err
    return root / "services" / name


def test_update_brings_in_template_changes_and_keeps_local_edits(new_project, template_copy, cli):
    service = scaffold(cli, new_project)
    old_version = read_answers(service)["_commit"]
    # the user's edits: a new endpoint in main.py, a new dependency, a file of their own
    main = service / "app" / "main.py"
    main.write_text(main.read_text() + '\n\n@app.get("/mine")\ndef mine() -> dict:\n    return {"mine": True}\n')
    reqs = service / "requirements.txt"
    reqs.write_text(reqs.read_text() + "orjson>=3\n")
    (service / "app" / "extra.py").write_text("VALUE = 1\n")
    # the template's change: a new health detail in main.py, a new file, a Dockerfile tweak
    tpl = template_copy / "backend" / "template"
    tpl_main = tpl / "app" / "main.py"
    tpl_main.write_text(tpl_main.read_text().replace('return {"status": "ok"}', 'return {"status": "ok", "v": 2}'))
    (tpl / "app" / "version.py").write_text('VERSION = "2"\n')
    docker = tpl / "Dockerfile.jinja"
    docker.write_text(docker.read_text().replace("PYTHONUNBUFFERED=1", "PYTHONUNBUFFERED=1 \\\n    TEMPLATE_V=2"))
    new_version = template_version(template_copy / "backend")

    code, out, err = cli("-C", new_project, "update", "api")
    assert code == 0, out + err
    assert f"api: backend {old_version} -> {new_version}" in out
    text = main.read_text()
    assert 'return {"status": "ok", "v": 2}' in text  # the template's change
    assert '@app.get("/mine")' in text  # the user's edit
    assert "orjson>=3" in reqs.read_text()
    assert (service / "app" / "extra.py").read_text() == "VALUE = 1\n"
    assert (service / "app" / "version.py").read_text() == 'VERSION = "2"\n'
    assert "TEMPLATE_V=2" in (service / "Dockerfile").read_text()
    answers = read_answers(service)
    assert answers["_commit"] == new_version and answers["_src_path"] == "devenv:backend"
    assert (new_project / ".devenv" / "templates" / f"backend-{new_version}.tar.gz").is_file()
    assert "<<<<<<<" not in text

    code, out, _ = cli("-C", new_project, "update")
    assert code == 0 and f"api: up to date (backend {new_version})" in out


def test_a_clash_is_reported_by_file_and_kept_with_markers(new_project, template_copy, cli):
    service = scaffold(cli, new_project)
    main = service / "app" / "main.py"
    main.write_text(main.read_text().replace('return {"status": "ok"}', 'return {"status": "fine"}'))
    tpl_main = template_copy / "backend" / "template" / "app" / "main.py"
    tpl_main.write_text(tpl_main.read_text().replace('return {"status": "ok"}', 'return {"status": "alive"}'))

    code, out, err = cli("-C", new_project, "update")
    assert code == 1
    assert "CONFLICT app/main.py" in out
    assert "conflicts in api: app/main.py" in err
    text = main.read_text()
    assert "<<<<<<< before updating" in text and ">>>>>>> after updating" in text
    assert '{"status": "fine"}' in text and '{"status": "alive"}' in text  # nothing lost


def test_files_the_template_deletes_go_and_files_the_user_deleted_stay_gone(new_project, template_copy, cli):
    service = scaffold(cli, new_project, "jobs", "worker")
    (service / "README.md").unlink()  # the user's choice
    (template_copy / "worker" / "template" / "tests" / "test_tasks.py").unlink()
    (template_copy / "worker" / "template" / "worker" / "tasks.py").write_text("TASKS = {}\n")
    code, out, err = cli("-C", new_project, "update", "jobs")
    assert code == 0, out + err
    assert not (service / "tests" / "test_tasks.py").exists()
    assert not (service / "README.md").exists()
    assert (service / "worker" / "tasks.py").read_text() == "TASKS = {}\n"


def test_services_not_made_from_templates_are_skipped(new_project, cli):
    (new_project / "services" / "legacy").mkdir(parents=True)
    (new_project / "services" / "legacy" / "Dockerfile").write_text("ARG B=python:3.11-slim\nFROM ${B}\n")
    with (new_project / "devenv.yaml").open("a") as handle:
        handle.write("services:\n  legacy: {}\n")
    (new_project / "devenv.yaml").write_text(
        (new_project / "devenv.yaml").read_text().replace("services: {}\n", "", 1)
    )
    code, out, _ = cli("-C", new_project, "update")
    assert code == 0 and "legacy: skipped (not made from a template)" in out
    code, _, err = cli("-C", new_project, "update", "legacy")
    assert code == 2 and "was not made from a devenv template" in err


def test_a_missing_snapshot_is_an_error_with_a_hint(new_project, template_copy, cli):
    scaffold(cli, new_project)
    for snapshot in (new_project / ".devenv" / "templates").glob("*.tar.gz"):
        snapshot.unlink()
    (template_copy / "backend" / "template" / "app" / "version.py").write_text("V = 2\n")
    code, _, err = cli("-C", new_project, "update", "api")
    assert code == 1
    assert "is not in .devenv/templates/" in err and "restore" in err


def test_update_works_without_git_in_the_project_and_leaves_no_sandbox(new_project, template_copy, cli):
    scaffold(cli, new_project)
    (template_copy / "backend" / "template" / "app" / "version.py").write_text("V = 2\n")
    assert cli("-C", new_project, "update")[0] == 0
    assert not (new_project / ".git").exists()
    assert not (new_project / ".devenv" / "tmp").exists()
