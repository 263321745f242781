"""Talking to a cluster: no kubeconfig is exit 2, a server that does not answer is exit 1 (no cluster needed)."""

from __future__ import annotations

import socket

from devenv.cli.render.deliver import history_lines
from devenv.events import Release, ReleaseHistory
from tests.render.k8s.conftest import EXAMPLE


def test_no_kubeconfig_is_a_usage_error(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.setenv("HOME", str(tmp_path))
    code, _, err = cli("-C", EXAMPLE, "-o", "plain", "history", "--env", "staging")
    assert code == 2
    assert "no Kubernetes cluster to talk to" in err and "--context" in err


def test_an_unknown_context_is_a_usage_error(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path, 9)))
    code, _, err = cli("-C", EXAMPLE, "-o", "plain", "history", "--env", "staging", "--context", "nope")
    assert code == 2 and "context 'nope'" in err


def test_an_unreachable_server_is_a_runtime_error(cli, tmp_path, monkeypatch):
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path, port)))
    code, _, err = cli("-C", EXAMPLE, "-o", "plain", "rollback", "--env", "staging")
    assert code == 1
    assert f"cannot reach the Kubernetes API server at https://127.0.0.1:{port}" in err


def _kubeconfig(tmp_path, port):
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters: [{{name: c, cluster: {{server: 'https://127.0.0.1:{port}', insecure-skip-tls-verify: true}}}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: local, context: {cluster: c, user: u}}]\ncurrent-context: local\n"
    )
    return path


def test_history_table():
    releases = [
        Release(1, "abc", "abc", "2026-01-01T00:00:00Z", "deployed"),
        Release(2, "def", "def-dirty-1234abcd", "2026-01-02T00:00:00Z", "failed"),
    ]
    lines = history_lines(ReleaseHistory("staging", "shop-staging", releases))
    assert lines[0].split() == ["REVISION", "COMMIT", "TAG", "TIME", "STATUS"]
    assert lines[2].split() == ["2", "def", "def-dirty-1234abcd", "2026-01-02T00:00:00Z", "failed"]
    assert history_lines(ReleaseHistory("staging", "ns", [])) == ["no deploys recorded in namespace ns ('staging')"]
