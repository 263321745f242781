import os
import socket

from devenv.runtime.plan import Desired
from devenv.runtime.ports import Binding, bindings, conflicts, holder_of, port_error, port_is_free

API = Desired("api", "service", "i", True, "h", (), True, ports=("127.0.0.1:8000:8000",))
DB = Desired("db", "dependency", "i", False, "h", (), True, ports=("5432:5432",))


def test_bindings_from_compose_short_syntax():
    assert bindings({"api": API, "db": DB}, ["api", "db"]) == [
        Binding("api", "127.0.0.1", 8000),
        Binding("db", "0.0.0.0", 5432),
    ]


def test_bindings_from_every_form_compose_takes():
    ports = (
        "127.0.0.1::5000",  # no host port: nothing to check
        "53:53/udp",
        "8000-8002:8000-8002",
        "[::1]:6000:6000",
        "9000",
        {"target": 80, "published": "8080", "host_ip": "0.0.0.0", "protocol": "tcp"},
        {"target": 53, "published": "5353", "protocol": "udp"},
    )
    web = Desired("web", "service", "i", False, "h", (), True, ports=ports)
    assert bindings({"web": web}, ["web"]) == [
        Binding("web", "0.0.0.0", 8000),
        Binding("web", "0.0.0.0", 8001),
        Binding("web", "0.0.0.0", 8002),
        Binding("web", "::1", 6000),
        Binding("web", "0.0.0.0", 8080),
    ]


def test_own_ports_are_not_conflicts():
    wanted = [Binding("api", "127.0.0.1", 8000), Binding("db", "0.0.0.0", 5432)]
    taken = conflicts(wanted, own_ports={8000}, is_free=lambda ip, port: False)
    assert taken == [Binding("db", "0.0.0.0", 5432)]


def test_a_real_listener_is_found_with_its_process():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert not port_is_free("127.0.0.1", port)
        holder = holder_of(port)
        assert holder is not None and holder.startswith("process ") and f"pid {os.getpid()}" in holder
    assert port_is_free("127.0.0.1", port)


def test_container_holder_is_named_from_engine_listing():
    listing = [{"Names": ["/other-web-1"], "Ports": [{"PublicPort": 8000, "PrivatePort": 80}]}]
    assert holder_of(8000, listing) == "container other-web-1"


def test_error_names_port_holder_and_suggests_host_port():
    err = port_error([Binding("api", "127.0.0.1", 8000)], {8000: "process nginx (pid 42)"})
    assert err.message == "host port 8000 (for api) is in use by process nginx (pid 42)"
    assert "host_port" in err.hint and err.exit_code == 1
