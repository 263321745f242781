"""The engine facade and the compose output stream, with stand-ins for the Docker SDK and the compose CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devenv.errors import ComposeError
from devenv.events import Output
from devenv.runtime.compose_cli import ComposeCLI, build_failed
from devenv.runtime.engine import Engine


class FakeAPI:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[tuple[str, Any]] = []

    def inspect_container(self, container_id: str) -> dict[str, Any]:
        if self.fail:
            raise RuntimeError("No such container")
        return {"HostConfig": {"NetworkMode": f"container:{container_id}-server"}}

    def exec_create(self, container_id: str, argv: list[str], **kwargs: Any) -> dict[str, str]:
        if self.fail:
            raise RuntimeError("container is not running")
        self.calls.append(("exec_create", (container_id, argv, kwargs)))
        return {"Id": "exec-1"}

    def exec_start(self, exec_id: str) -> bytes:
        return b"abc 010_users.csv\n"

    def exec_inspect(self, exec_id: str) -> dict[str, Any]:
        return {"ExitCode": 0}


class FakeClient:
    def __init__(self, fail: bool = False, info: dict[str, Any] | None = None) -> None:
        self.api = FakeAPI(fail)
        self._info = info if info is not None else {"DockerRootDir": "/var/lib/docker"}

    def info(self) -> dict[str, Any]:
        if self.api.fail:
            raise RuntimeError("remote engine")
        return self._info


def test_network_mode_and_none_once_the_container_is_gone():
    assert Engine(FakeClient()).network_mode("abc") == "container:abc-server"
    assert Engine(FakeClient(fail=True)).network_mode("abc") is None


def test_docker_root_or_none_when_the_engine_does_not_say():
    assert Engine(FakeClient()).docker_root() == Path("/var/lib/docker")
    assert Engine(FakeClient(info={})).docker_root() is None
    assert Engine(FakeClient(fail=True)).docker_root() is None


def test_exec_returns_code_and_stdout_or_1_when_it_cannot_run():
    client = FakeClient()
    assert Engine(client).exec("c1", ["redis-cli", "PING"], {"A": "1"}) == (0, "abc 010_users.csv\n")
    assert client.api.calls == [
        ("exec_create", ("c1", ["redis-cli", "PING"], {"environment": {"A": "1"}, "stdout": True, "stderr": False}))
    ]
    assert Engine(FakeClient(fail=True)).exec("c1", ["true"]) == (1, "")


class ShellCompose(ComposeCLI):
    """ComposeCLI whose commands are shell scripts (no Docker)."""

    def argv(self, *args: str, progress: str | None = None) -> list[str]:
        return ["sh", "-c", args[0]]


def test_stream_yields_each_line_as_output_and_returns_code_and_lines(tmp_path):
    compose = ShellCompose(docker="docker", project_dir=tmp_path, compose_file=tmp_path / "c.yml", version=(2, 40, 0))
    stream = compose.stream("echo one; echo two >&2; exit 3", source="api")
    seen: list[Output] = []
    while True:
        try:
            seen.append(next(stream))
        except StopIteration as stop:
            code, lines = stop.value
            break
    assert seen == [Output(source="api", line="one"), Output(source="api", line="two")]
    assert (code, lines) == (3, ["one", "two"])


def test_build_failed_names_the_services_the_useful_line_and_the_command():
    error = build_failed(["api", "web"], ["#5 RUN pip install", "ERROR: failed to solve: exit code 1"], "devenv test")
    assert isinstance(error, ComposeError)
    assert error.message == "building api, web failed: ERROR: failed to solve: exit code 1"
    assert error.hint == "fix the Dockerfile or the build context, then run `devenv test` again"
    assert error.details is not None and error.details.endswith("exit code 1")


@pytest.mark.parametrize(("text", "version"), [("v2.40.3", (2, 40, 3)), ("2.24.0-desktop.1", (2, 24, 0)), ("no", None)])
def test_parse_version(text, version):
    from devenv.runtime.compose_cli import parse_version

    assert parse_version(text) == version
