"""The pure parts of `devenv import`: image references, tidying, comparison, names, the spec's layout."""

from __future__ import annotations

import pytest

from devenv.importer.clean import Where, relative, short_port, short_volume, tidy_top, unescape
from devenv.importer.compare import compare_configs, http_check, same_http_check
from devenv.importer.convert import dns_label, propose
from devenv.importer.images import image_for, kind_of_image, normal_image
from devenv.importer.specfile import spec_text
from devenv.kinds import kinds

WHERE = Where(root="/p/app", original_project="app", project="app")


@pytest.mark.parametrize(
    ("reference", "kind", "version", "override"),
    [
        ("postgres:16", "postgres", "16", None),
        ("postgres:16-alpine", "postgres", "16-alpine", None),
        ("postgres", "postgres", "latest", "postgres"),
        ("docker.io/library/postgres:15", "postgres", "15", "docker.io/library/postgres:15"),
        ("mirror.gcr.io/library/redis:7", "redis", "7", "mirror.gcr.io/library/redis:7"),
        ("registry.corp.example/hub/postgres:16", "postgres", "16", "registry.corp.example/hub/postgres:16"),
        ("valkey/valkey:8", "valkey", "8", None),
        ("postgres@sha256:abc", "postgres", None, "postgres@sha256:abc"),
        ("bitnami/redis:7", None, None, None),
        ("myredis:1", None, None, None),
        ("ghcr.io/acme/api:1", None, None, None),
    ],
)
def test_images_of_known_kinds(reference, kind, version, override):
    found = kind_of_image(reference)
    assert (found.name if found else None) == kind
    if found:
        assert image_for(found, reference) == (version, override)
        assert (override or found.image(version)) == reference  # the rendered image is the user's


def test_every_kind_recognises_its_own_image():
    for kind in kinds().values():
        assert kind_of_image(kind.image(None)) is kind
        assert image_for(kind, kind.image(None)) == (kind.default_version, None)


def test_normal_image():
    assert normal_image("postgres") == "docker.io/library/postgres:latest"
    assert normal_image("docker.io/library/postgres:latest") == "docker.io/library/postgres:latest"
    assert normal_image("localhost:5000/a/b:1") == "localhost:5000/a/b:1"
    assert normal_image("ghcr.io/a/b@sha256:1") == "ghcr.io/a/b@sha256:1"


def test_tidy_values():
    assert unescape({"a": ["$$HOME", "x$$"]}) == {"a": ["$HOME", "x$"]}
    assert relative("/p/app/api", WHERE) == "./api"
    assert relative("/p/app", WHERE) == "."
    assert relative("/p/shared/x", WHERE) == "../shared/x"
    assert relative("/var/run/docker.sock", WHERE) == "/var/run/docker.sock"
    assert relative("/p/app/api", WHERE, dot=False) == "api"
    port = {"mode": "ingress", "target": 80, "published": "8080", "protocol": "tcp"}
    assert short_port(port) == "8080:80"
    assert short_port({**port, "host_ip": "127.0.0.1"}) == "127.0.0.1:8080:80"
    assert short_port({**port, "host_ip": "::1", "protocol": "udp"}) == "[::1]:8080:80/udp"
    assert short_port({"mode": "ingress", "target": 9, "protocol": "tcp"}) == "9"
    assert short_port({**port, "mode": "host"}) == {**port, "mode": "host"}
    bind = {"type": "bind", "source": "/p/app/conf", "target": "/c", "read_only": True}
    bind["bind"] = {"create_host_path": True}
    assert short_volume(bind, WHERE) == "./conf:/c:ro"
    assert short_volume({"type": "bind", "source": "/p/app/conf", "target": "/c"}, WHERE) == {
        "type": "bind", "source": "./conf", "target": "/c"
    }  # fmt: skip  # the long form creates no host path: it stays long
    assert short_volume({"type": "volume", "source": "v", "target": "/v", "volume": {"nocopy": True}}, WHERE) == (
        "v:/v:nocopy"
    )
    assert short_volume({"type": "volume", "target": "/anon", "volume": {}}, WHERE) == "/anon"
    assert tidy_top("networks", {"default": {"name": "app_default", "ipam": {}}}, WHERE) == {}
    assert tidy_top("volumes", {"v": {"name": "app_v"}, "x": {"name": "x", "external": True}}, WHERE) == {
        "v": {}, "x": {"external": True}
    }  # fmt: skip


def test_program_mounts():
    from devenv.importer.compare import is_program_mount

    assert is_program_mount("./.devenv/programs/health:/devenv/health:ro")
    assert is_program_mount({"type": "bind", "source": "/p/app/.devenv/programs/reload", "target": "/devenv/reload"})
    assert not is_program_mount("./api:/app")
    assert not is_program_mount({"type": "bind", "source": "/p/devenv/programs", "target": "/x"})


def test_http_checks():
    assert http_check(["CMD", "curl", "-f", "http://localhost:8000/healthz"]) == (8000, "/healthz")
    assert http_check(["CMD-SHELL", "curl -fsS http://127.0.0.1:3000/ || exit 1"]) == (3000, "/")
    assert http_check(["CMD", "wget", "-q", "--spider", "http://localhost:80/ping"]) == (80, "/ping")
    assert http_check(["CMD", "sh", "/devenv/health/http_probe.sh", "http://127.0.0.1:8000/h"]) == (8000, "/h")
    assert http_check(["CMD", "curl", "http://localhost:8000/"]) is None  # no --fail: any answer passes
    assert http_check(["CMD", "curl", "-f", "-H", "X: y", "http://localhost:8000/"]) is None
    assert http_check(["CMD", "curl", "-f", "http://db:8000/"]) is None  # another container
    assert http_check(["CMD-SHELL", "curl -f http://localhost:8000/ | grep ok"]) is None
    assert http_check(["NONE"]) is None
    assert same_http_check(["CMD", "curl", "-f", "http://localhost:8/x"], ["CMD", "wget", "-q", "http://127.0.0.1:8/x"])


def test_compare_statuses_and_renames():
    original = {
        "name": "old_app",
        "services": {
            "web_app": {
                "image": "nginx",
                "environment": {"A": "1"},
                "depends_on": {"db_1": {"condition": "service_started", "required": True}},
                "networks": {"default": None},
                "ports": [{"target": 80, "published": "80"}],
            },
            "db_1": {"image": "postgres:16", "networks": {"default": None}},
        },
        "volumes": {"data": {"name": "old_app_data"}},
    }
    generated = {
        "name": "old-app",
        "services": {
            "web-app": {
                "image": "docker.io/library/nginx:latest",
                "environment": {"A": "1", "DB_1_URL": "x"},
                "depends_on": {"db-1": {"condition": "service_started", "required": True}},
                "networks": {"default": {"aliases": ["web_app"]}},
                "labels": {"dev.devenv.role": "service"},
                "healthcheck": {"test": ["CMD", "true"]},
            },
            "db-1": {"image": "postgres:16", "networks": {"default": {"aliases": ["db_1"]}}, "init": False},
        },
        "volumes": {"data": {"name": "old_app_data"}},
    }
    comparison = compare_configs(original, generated, renamed={"web_app": "web-app", "db_1": "db-1"})
    web = comparison.service("web_app")
    statuses = {key.key: key.status for key in web.keys}
    assert statuses == {
        "depends_on": "equal", "environment": "extended", "healthcheck": "added", "image": "equal",
        "networks": "equal", "ports": "missing",
    }  # fmt: skip
    assert [key.key for key in web.differences()] == ["ports"]
    assert web.settings == 5 and web.equivalent == 4
    assert comparison.service("db_1").differences() == []
    assert comparison.differences() == [("web_app", web.keys[-1])]
    assert [k.status for k in comparison.top] == ["equal"]


def test_names_and_proposals(tmp_path):
    assert dns_label("My_App.v2", "x") == "my-app-v2"
    assert dns_label("___", "fallback") == "fallback"
    normalised = {
        "name": "my_project",
        "services": {
            "web_app": {
                "image": "ghcr.io/a/web:1",
                "ports": [{"target": 80, "published": "8080"}],
                "depends_on": {"Web.App": {"condition": "service_started"}},
            },
            "Web.App": {"image": "redis:7", "ports": [{"target": 6379, "published": "6379"}]},
            "my_llm": {"provider": {"type": "model"}, "depends_on": {"web_app": {"condition": "service_started"}}},
        },
    }
    proposals = propose(normalised, None, tmp_path)
    assert proposals.name == "my-project"
    assert proposals.renamed == {"web_app": "web-app", "Web.App": "web-app-2"}
    web, cache, llm = proposals.services
    assert web.entry == {"image": "ghcr.io/a/web:1", "port": 80, "public": True, "host_port": 8080,
                         "depends_on": ["web-app-2"]}  # fmt: skip
    assert cache.became == "dependency" and cache.entry == {"kind": "redis", "version": "7", "image": None,
                                                           "host_port": 6379}  # fmt: skip
    assert llm.became == "raw" and llm.name == "my_llm"  # a raw service keeps its name; its references follow
    llm_entry = {"provider": {"type": "model"}, "depends_on": {"web-app": {"condition": "service_started"}}}
    assert proposals.spec()["compose"] == {"services": {"my_llm": llm_entry}}


def test_spec_layout():
    text = spec_text(
        {
            "name": "p",
            "dependencies": {"db": {"version": "16", "kind": "postgres"}},
            "services": {"api": {"compose": {"cap_add": ["ALL"]}, "image": "x", "port": 80}},
        },
        "header",
    )
    assert text == (
        "# header\nname: p\nservices:\n  api:\n    image: x\n    port: 80\n    compose:\n      cap_add: [ALL]\n"
        "dependencies:\n  db: {kind: postgres, version: '16'}\n"
    )
