"""The small unix-socket engine client: pure parts here; against the real engine under the docker marker."""

from __future__ import annotations

import struct

import pytest

from devenv.runtime.dockerapi import DEFAULT_SOCKET, NotFound, UnixClient, demux, socket_path


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxI", stream, len(payload)) + payload


def test_socket_path_follows_docker_host():
    assert socket_path({}) == DEFAULT_SOCKET
    assert socket_path({"DOCKER_HOST": "unix:///run/user/1000/docker.sock"}) == "/run/user/1000/docker.sock"
    assert socket_path({"DOCKER_HOST": "tcp://10.0.0.1:2376"}) is None  # TLS and friends: the SDK
    assert socket_path({"DOCKER_HOST": "ssh://me@host"}) is None


def test_demux_joins_the_frames_of_a_multiplexed_stream():
    assert demux(frame(1, b"out ") + frame(2, b"err ") + frame(1, b"more")) == b"out err more"
    assert demux(b"plain text, no frames") == b"plain text, no frames"
    assert demux(b"") == b""


@pytest.mark.docker
def test_the_client_answers_like_the_sdk_on_the_real_engine():
    import docker

    fast, sdk = UnixClient(DEFAULT_SOCKET), docker.APIClient(base_url=f"unix://{DEFAULT_SOCKET}", version="auto")
    assert fast.ping() is True
    assert fast.version()["ApiVersion"] == sdk.version()["ApiVersion"]
    assert [c["Id"] for c in fast.containers(all=True)] == [c["Id"] for c in sdk.containers(all=True)]
    with pytest.raises(NotFound):
        fast.inspect_image("devenv-no-such-image:never")
    with pytest.raises(NotFound):
        fast.inspect_container("devenv-no-such-container")
    assert callable(fast.create_container)  # anything else: the SDK's APIClient, on the same socket
