"""The spec's service fields: short and long forms read the same, and what they refuse."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from devenv.spec.model import Service
from devenv.spec.service_fields import PortMapping, VolumeMount


def test_short_and_long_ports_are_the_same():
    short = Service.model_validate({"image": "x", "ports": ["8080:80", "5353:53/udp", 9100]})
    assert short.ports == [
        PortMapping(container=80, host=8080),
        PortMapping(container=53, host=5353, protocol="udp"),
        PortMapping(container=9100),
    ]


def test_short_volumes_tell_names_from_paths():
    service = Service.model_validate({"image": "x", "volumes": ["cache:/c", "./conf/a.ini:/etc/a.ini:ro", "/abs:/abs"]})
    assert [v.kind for v in service.volumes] == ["volume", "bind", "bind"]
    assert service.volumes[1] == VolumeMount(target="/etc/a.ini", bind="./conf/a.ini", read_only=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ports": ["80:abc"]}, "is not a port"),
        ({"ports": [{"container": 80, "host_ip": "0.0.0.0"}]}, "'host_ip' needs a 'host' port"),
        ({"volumes": ["cache:relative"]}, "must be an absolute path"),
        ({"volumes": [{"target": "/x", "volume": "a", "tmpfs": True}]}, "exactly one of"),
        ({"volumes": [{"target": "/x", "volume": "a", "size": "1m"}]}, "'size' is a tmpfs's size"),
        ({"volumes": ["a:/x", "b:/x"]}, "two volumes are mounted on /x"),
        ({"health_command": []}, "at least one word"),
        ({"health_timing": {"interval": "5s"}}, "'health_timing' needs a health check"),
        ({"health_timing": {"interval": "soon"}, "health_command": "true"}, "is not a valid duration"),
        ({"cap_add": ["net_admin"]}, "is not a valid capability"),
        ({"profiles": ["-x"]}, "is not a valid profile name"),
        ({"working_dir": "srv"}, "must be an absolute path"),
        ({"build_args": {"A": "1"}}, "'build_args' are for a service built from 'path'"),
        ({"secrets": {"a b": "./f"}}, "is not a valid secret name"),
    ],
)
def test_refused(fields, message):
    with pytest.raises(ValidationError) as caught:
        Service.model_validate({"image": "x", **fields})
    assert message in str(caught.value)


def test_health_path_and_command_exclude_each_other():
    with pytest.raises(ValidationError, match="exclude each other"):
        Service.model_validate({"port": 80, "health": "/h", "health_command": "true"})
