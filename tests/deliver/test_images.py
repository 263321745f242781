"""`devenv build`'s pure parts: tags from git, the Compose build file, the digest record."""

from __future__ import annotations

import json
import subprocess

import pytest

from devenv.deliver.images import RECORD, build_file, built_services, image_ref, pushed_digests, source_tag
from devenv.errors import UsageError
from devenv.spec.loader import load_project

SPEC = """\
name: shop
services:
  api: {path: services/api, port: 8000}
  proxy: {image: "caddy:2"}
images:
  registry: registry.example.com/acme
  mirror: {docker.io: mirror.example.com/hub}
"""
DOCKERFILE = "ARG PYTHON_IMAGE=python:3.11-slim\nFROM ${PYTHON_IMAGE} AS prod\n"


def _git(root, *args):
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(make_project):
    root = make_project(SPEC, {"services/api": DOCKERFILE})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    return root


def test_a_clean_tree_is_tagged_with_its_commit(repo):
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True)
    tag = source_tag(repo)
    assert tag.tag == tag.commit == head.stdout.strip() and not tag.dirty


def test_a_dirty_tree_needs_the_flag_and_gets_a_distinct_tag(repo):
    (repo / "services" / "api" / "app.py").write_text("print('changed')\n")
    with pytest.raises(UsageError, match="uncommitted changes"):
        source_tag(repo)
    first = source_tag(repo, allow_dirty=True)
    assert first.dirty and first.tag.startswith(first.commit + "-dirty-")
    (repo / "services" / "api" / "app.py").write_text("print('changed again')\n")
    assert source_tag(repo, allow_dirty=True).tag != first.tag  # other changes, other tag
    (repo / ".devenv").mkdir()
    (repo / "services" / "api" / "app.py").unlink()
    (repo / ".devenv" / "images.json").write_text("{}")
    assert not source_tag(repo).dirty  # devenv's own state does not make a tree dirty


def test_no_git_repository_is_a_clear_error(make_project):
    with pytest.raises(UsageError, match="not in a git repository"):
        source_tag(make_project(SPEC, {"services/api": DOCKERFILE}))


def test_the_build_file_targets_prod_through_the_mirror_and_the_ca(repo):
    (repo / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    project = load_project(repo, environ={"DEVENV_CA_CERTIFICATES": str(repo / "ca.pem")})
    ref = image_ref(project, "api", "abc")
    assert ref == "registry.example.com/acme/shop-api:abc"
    data = build_file(project, "api", ref)
    build = data["services"]["api"]["build"]
    assert data["services"]["api"]["image"] == ref
    assert build["target"] == "prod"
    assert build["args"] == {"PYTHON_IMAGE": "mirror.example.com/hub/library/python:3.11-slim"}
    assert build["secrets"] == ["devenv_ca"] and data["secrets"]["devenv_ca"]["file"].endswith("ca.pem")


def test_only_built_services_are_built(repo):
    project = load_project(repo, environ={})
    assert built_services(project) == ["api"]
    with pytest.raises(UsageError, match="prebuilt image"):
        built_services(project, ["proxy"])
    with pytest.raises(UsageError, match="no service 'nope'"):
        built_services(project, ["nope"])


def test_deploy_needs_pushed_digests(repo):
    with pytest.raises(UsageError, match="no pushed image of api for tag abc") as missing:
        pushed_digests(repo, "abc", ["api"])
    assert "devenv build --push" in (missing.value.hint or "")
    (repo / ".devenv").mkdir()
    digest = "registry.example.com/acme/shop-api@sha256:" + "a" * 64
    (repo / RECORD).write_text(json.dumps({"abc": {"commit": "abc", "images": {"api": {"digest": digest}}}}))
    assert pushed_digests(repo, "abc", ["api"]) == {"api": digest}


def test_the_production_build_gets_the_services_own_build_args(make_project):
    own = "api: {path: services/api, port: 8000, build_args: {GIT_SHA: abc, PRICE: $5}}"
    spec = SPEC.replace("api: {path: services/api, port: 8000}", own)
    root = make_project(spec, {"services/api": DOCKERFILE})
    project = load_project(root, environ={})
    build = build_file(project, "api", image_ref(project, "api", "abc"))["services"]["api"]["build"]
    assert build["args"] == {
        "PYTHON_IMAGE": "mirror.example.com/hub/library/python:3.11-slim",
        "GIT_SHA": "abc",
        "PRICE": "$$5",  # a literal dollar in the compose file devenv builds with
    }


def test_a_release_carries_the_project_files_services_mount(make_project):
    """`devenv deploy` renders what `devenv export k8s` does: a mounted project file is a ConfigMap."""
    from devenv.deliver.deploy import render_release

    spec = SPEC.replace(
        "api: {path: services/api, port: 8000}",
        'api: {path: services/api, port: 8000, volumes: ["./settings.toml:/etc/api/settings.toml:ro"]}',
    )
    root = make_project(spec + "environments: {staging: {}}\n", {"services/api": DOCKERFILE})
    (root / "settings.toml").write_text("release = 3\n")
    (root / ".devenv").mkdir(exist_ok=True)
    digest = "registry.example.com/acme/shop-api@sha256:" + "b" * 64
    (root / RECORD).write_text(json.dumps({"t1": {"commit": "t1", "images": {"api": {"digest": digest}}}}))
    documents, digests, warnings = render_release(load_project(root), "staging", "t1", None, (1, 20))
    [files] = [d for d in documents if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "api-files"]
    assert list(files["data"].values()) == ["release = 3\n"]
    assert digests == {"api": digest} and not any("settings.toml" in w for w in warnings)
