"""The pure half of a deploy: pinning, server versions, secrets, the release record."""

from __future__ import annotations

import pytest

from devenv.deliver.plan import (
    for_server,
    left_behind,
    manifests_of,
    pin_images,
    release_configmap,
    release_of,
    secret_values,
    server_version,
    workloads,
)
from devenv.errors import UsageError
from devenv.events import Release
from devenv.export import build_files
from tests.render.k8s.conftest import EXAMPLE, documents

REF = "ghcr.io/acme/shop-api:abc123def456"
DIGEST = "ghcr.io/acme/shop-api@sha256:" + "1" * 64


@pytest.fixture(scope="module")
def staging():
    from devenv.spec.loader import load_project

    files, _ = build_files(load_project(EXAMPLE, environ={}), "staging", "abc123def456", fmt="plain")
    return documents(files)


def test_images_are_pinned_by_digest_and_nothing_else_changes(staging):
    pinned = pin_images(staging, {REF: DIGEST})
    api = next(d for d in pinned if d["kind"] == "Deployment")
    image = api["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == f"{REF}@sha256:{'1' * 64}"
    waits = api["spec"]["template"]["spec"]["initContainers"]
    assert all("@" not in c["image"] for c in waits)  # not a built image: left as rendered
    assert [d for d in pinned if d["kind"] != "Deployment"] == [d for d in staging if d["kind"] != "Deployment"]
    assert (
        "@"
        not in next(d for d in staging if d["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0][
            "image"
        ]
    )  # the input is not modified


def test_disruption_budgets_follow_the_server_version(staging):
    pdbs = [d for d in staging if d["kind"] == "PodDisruptionBudget"]
    assert pdbs and all(d["apiVersion"] == "policy/v1" for d in pdbs)
    old = [d for d in for_server(staging, (1, 20)) if d["kind"] == "PodDisruptionBudget"]
    assert all(d["apiVersion"] == "policy/v1beta1" for d in old)
    assert for_server(staging, (1, 21)) == staging
    assert server_version("1", "20+") == (1, 20)


def test_workloads_in_waiting_order(staging):
    found = workloads(staging)
    kinds = [kind for kind, _ in found]
    assert kinds == sorted(kinds, key=["StatefulSet", "Deployment", "Job"].index)
    assert ("Deployment", "api") in found and ("StatefulSet", "db") in found
    assert any(kind == "Job" and name.startswith("db-fixtures-") for kind, name in found)


def test_secret_values_from_a_file_or_the_environment(tmp_path):
    env_file = tmp_path / "secrets.env"
    env_file.write_text("export A='one'\nB=two\n# C=no\n")
    assert secret_values(["A", "B"], env_file) == {"A": "one", "B": "two"}
    assert secret_values(["A"], None, {"A": "x", "OTHER": "y"}) == {"A": "x"}
    with pytest.raises(UsageError) as missing:
        secret_values(["A", "C"], None, {"A": "hunter2"})
    assert "C" in missing.value.message and "hunter2" not in missing.value.message


def test_release_record_round_trip_never_holds_the_secret(staging):
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"K": "hunter2"}}
    release = Release(4, "abc123def456", "abc123def456", "2026-01-01T00:00:00Z", "deployed", {"api": DIGEST})
    config = release_configmap("shop-staging", "shop", release, [*staging, secret])
    assert config["metadata"]["name"] == "devenv-release-4"
    assert "hunter2" not in str(config)
    assert release_of(config["data"]) == release
    assert manifests_of(config["binaryData"]) == sorted(staging, key=lambda _: 0)


def _doc(kind: str, name: str, api_version: str = "v1") -> dict:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}


def test_left_behind_is_what_earlier_releases_had_and_this_one_has_not() -> None:
    earlier = [
        _doc("Namespace", "shop-staging"),
        _doc("Deployment", "api", "apps/v1"),
        _doc("ConfigMap", "api-files"),
        _doc("PodDisruptionBudget", "api", "policy/v1beta1"),
        _doc("PersistentVolumeClaim", "api-uploads"),
    ]
    failed = [_doc("Deployment", "api", "apps/v1"), _doc("Service", "admin"), _doc("Deployment", "admin", "apps/v1")]
    wanted = [_doc("Namespace", "shop-staging"), _doc("Deployment", "api", "apps/v1"),
              _doc("PodDisruptionBudget", "api", "policy/v1")]  # fmt: skip
    delete, keep = left_behind([earlier, failed], wanted)
    assert delete == [
        ("apps/v1", "Deployment", "admin"),
        ("v1", "ConfigMap", "api-files"),
        ("v1", "Service", "admin"),
    ]  # the PDB whose apiVersion changed is the same object; a Namespace is never deleted
    assert keep == [("v1", "PersistentVolumeClaim", "api-uploads")]  # it holds data: kept, with a warning
    assert left_behind([], wanted) == ([], [])
    assert left_behind([wanted], wanted) == ([], [])
