"""Exec with standard input and restart (devenv/runtime/execio.py, behind Engine.exec_input and
Engine.restart): the stream format here; both clients (the unix-socket one and the SDK) on the real
engine under the docker marker."""

from __future__ import annotations

import io
import struct
import subprocess
import uuid

import pytest

from devenv.runtime import execio
from devenv.runtime.dockerapi import DEFAULT_SOCKET


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxI", stream, len(payload)) + payload


def test_frames_are_split_into_stdout_and_stderr():
    data = frame(1, b"out ") + frame(2, b"err") + frame(1, b"more") + frame(0, b"")
    assert execio.read_frames(io.BytesIO(data)) == (b"out more", b"err")
    assert execio.read_frames(io.BytesIO(b"")) == (b"", b"")
    assert execio.read_frames(io.BytesIO(frame(1, b"cut short")[:-3])) == (b"cut sh", b"")


def test_exec_body_attaches_stdin_and_sets_the_environment():
    body = execio.exec_create_body(["psql", "-f", "-"], {"PGPASSWORD": "devenv"})
    assert body == {
        "Cmd": ["psql", "-f", "-"], "AttachStdin": True, "AttachStdout": True, "AttachStderr": True, "Tty": False,
        "Env": ["PGPASSWORD=devenv"],
    }
    assert "Env" not in execio.exec_create_body(["true"], None)


def test_http_heads_and_chunked_bodies_are_read():
    head = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n"
    reader = io.BytesIO(head + b'{"Id":1}\n')
    status, headers = execio._read_head(reader)
    assert status == 201 and headers["content-type"] == "application/json"
    assert execio._read_body(reader, headers) == b'{"Id":1}\n'
    chunked = io.BytesIO(b"4\r\nab\r\n\r\n3\r\ncde\r\n0\r\n\r\n")
    assert execio._read_body(chunked, {"transfer-encoding": "chunked"}) == b"ab\r\ncde"
    with pytest.raises(OSError, match="the engine answered"):
        execio._read_head(io.BytesIO(b"garbage\r\n\r\n"))


@pytest.fixture(scope="module")
def container():
    """A small long-running container of a stand-in image (built by the integration fixtures)."""
    from tests.integration.conftest import MIRROR_PREFIX, _load_standins

    [image] = _load_standins().ensure_images(["redis"], prefix=MIRROR_PREFIX)
    name = f"t-execio-{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "run", "-d", "--name", name, image], check=True, capture_output=True)
    yield name
    subprocess.run(["docker", "rm", "-f", name], capture_output=True)


@pytest.mark.docker
@pytest.mark.parametrize("client", ["unix", "sdk"])
def test_stdin_reaches_the_program_on_the_real_engine(container, client):
    from devenv.runtime.engine import Engine

    if client == "unix":
        engine = Engine.connect()
    else:
        import docker

        engine = Engine(docker.DockerClient(base_url=f"unix://{DEFAULT_SOCKET}", version="auto"))
    script = 'echo "args: $0 $1"; echo "to stderr" >&2; exit 3'
    code, out, err = engine.exec_input(container, ["sh", "-c", 'eval "$(cat)"', "zero", "one two"], script)
    assert (code, out, err) == (3, "args: zero one two\n", "to stderr\n")
    big = "x" * 3_000_000  # more than any pipe or socket buffer
    assert engine.exec_input(container, ["wc", "-c"], big, env={"A": "1"}) == (0, "3000000\n", "")
    assert engine.exec_input(container, ["sh", "-c", "echo $A"], env={"A": "from env"})[1] == "from env\n"
    code, out, err = engine.exec_input("t-execio-no-such-container", ["true"])
    assert code == -1 and out == "" and "No such container" in err
    def started_at() -> str:
        inspect = ["docker", "inspect", "-f", "{{.State.Running}} {{.State.StartedAt}}", container]
        return subprocess.run(inspect, capture_output=True, text=True, check=True).stdout.strip()

    before = started_at()
    engine.restart(container, stop_timeout=1)
    after = started_at()
    assert after.startswith("true ") and after != before
