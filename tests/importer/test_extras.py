"""devenv.importer.extras: which of Compose's normalised values become the spec's service fields. Pure."""

from __future__ import annotations

import pytest
import yaml

from devenv.importer.clean import Where
from devenv.importer.extras import env_files, native_fields
from tests.importer.conftest import compose_cli, copy_case, run_import

WHERE = Where(root="/p", original_project="p", project="p")
SECRETS = {"token": {"name": "p_token", "file": "/p/secrets/token.txt"}, "other": {"external": True}}


def _native(entry: dict, spec: dict | None = None, claimed: set[int] | None = None, built: bool = False) -> dict:
    out = dict(spec or {})
    native_fields(out, entry, WHERE, claimed if claimed is not None else set(), built=built, top_secrets=SECRETS)
    return out


def _port(target: int, published: str | None = None, protocol: str = "tcp", **extra: object) -> dict:
    port = {"mode": "ingress", "target": target, "protocol": protocol, **extra}
    return port | ({"published": published} if published else {})


def test_ports_after_the_public_one_and_exposed_ones():
    entry = {"ports": [_port(8000, "8000"), _port(9001, "9001"), _port(53, "5353", "udp")], "expose": ["9100"]}
    spec = _native(entry, {"port": 8000, "public": True})
    assert spec["ports"] == ["9001:9001", "5353:53/udp", 9100]


def test_one_port_the_spec_cannot_say_keeps_them_all_raw():
    for odd in (_port(9001), _port(9001, "9001-9002"), _port(9001, "9001", app_protocol="http")):
        assert "ports" not in _native({"ports": [_port(8000, "8000"), odd]}, {"port": 8000, "public": True})


def test_a_host_port_taken_by_another_service_stays_raw():
    assert "ports" not in _native({"ports": [_port(9001, "9001")]}, claimed={9001})
    claimed: set[int] = set()
    assert _native({"ports": [_port(9001, "9001", host_ip="0.0.0.0")]}, claimed=claimed)["ports"] == [
        {"container": 9001, "host": 9001, "protocol": "tcp", "host_ip": "0.0.0.0"}
    ]
    assert claimed == {9001}


def test_volumes_in_short_syntax_or_not_at_all():
    volumes = [
        {"type": "volume", "source": "data", "target": "/data", "volume": {}},
        {"type": "bind", "source": "/p/conf/a.ini", "target": "/etc/a.ini", "read_only": True,
         "bind": {"create_host_path": True}},
        {"type": "tmpfs", "target": "/scratch", "tmpfs": {"size": "67108864"}},
    ]  # fmt: skip
    assert _native({"volumes": volumes})["volumes"] == [
        "data:/data", "./conf/a.ini:/etc/a.ini:ro", {"tmpfs": True, "target": "/scratch", "size": "64m"}
    ]  # fmt: skip
    nocopy = {"type": "volume", "source": "data", "target": "/x", "volume": {"nocopy": True}}
    anonymous = {"type": "volume", "target": "/y", "volume": {}}
    for odd in (nocopy, anonymous):
        assert "volumes" not in _native({"volumes": [volumes[0], odd]})


def test_file_secrets_at_their_default_place():
    assert _native({"secrets": [{"source": "token", "target": "/run/secrets/token"}]})["secrets"] == {
        "token": "./secrets/token.txt"
    }
    assert "secrets" not in _native({"secrets": [{"source": "token", "target": "/etc/token"}]})
    assert "secrets" not in _native({"secrets": [{"source": "other"}]})  # external: not a file


def test_health_commands_and_their_timing_beside_devenvs_defaults():
    check = {"test": ["CMD-SHELL", "redis-cli ping"], "interval": "5s", "timeout": "5s", "start_period": "5m0s"}
    spec = _native({"healthcheck": check})
    assert spec["health_command"] == "redis-cli ping"
    assert spec["health_timing"] == {"interval": "5s"}  # 5s timeout and 5 min start period: devenv's anyway
    assert _native({"healthcheck": {"test": ["CMD", "pg_isready"]}})["health_command"] == ["pg_isready"]
    assert "health_command" not in _native({"healthcheck": {"test": ["NONE"]}})
    http = {"test": ["CMD", "curl", "-f", "http://localhost:8000/healthz"], "interval": "10s"}
    assert _native({"healthcheck": http}, {"port": 8000, "health": "/healthz"})["health_timing"] == {"interval": "10s"}


def test_process_fields_capabilities_profiles_and_build_args():
    entry = {"entrypoint": ["sh", "-c"], "user": "1000:1000", "working_dir": "/srv", "cap_add": ["NET_ADMIN"],
             "cap_drop": ["ALL"], "profiles": ["debug"], "build": {"args": {"A": "1"}}}  # fmt: skip
    spec = _native(entry, built=True)
    assert {k: spec[k] for k in ("entrypoint", "user", "working_dir", "cap_add", "cap_drop", "profiles")} == {
        "entrypoint": ["sh", "-c"], "user": "1000:1000", "working_dir": "/srv", "cap_add": ["NET_ADMIN"],
        "cap_drop": ["ALL"], "profiles": ["debug"],
    }  # fmt: skip
    assert spec["build_args"] == {"A": "1"}
    assert "build_args" not in _native({"build": {"args": {"A": None}}}, built=True)  # from the shell: stays raw


def test_env_files_as_the_spec_says_them():
    assert env_files(["/p/.env", {"path": "/p/local.env", "required": False}], WHERE) == [
        "./.env", {"path": "./local.env", "required": False}
    ]  # fmt: skip
    assert env_files([{"path": "/p/.env", "format": "raw"}], WHERE) is None


@pytest.mark.compose_cli
@pytest.mark.skipif(compose_cli() is None, reason="needs the docker CLI with the compose plugin")
def test_a_service_field_the_spec_refuses_goes_back_to_raw_keys(tmp_path, monkeypatch):
    """Should a native value not load after all, the import still succeeds, with the keys raw."""
    import devenv.importer.convert as convert

    def broken(spec: dict, entry: dict, *args: object, **kwargs: object) -> list[str]:
        taken = native_fields(spec, entry, *args, **kwargs)  # type: ignore[arg-type]
        spec["working_dir"] = "not/absolute"
        return taken

    monkeypatch.setattr(convert, "native_fields", broken)
    root = copy_case("26-native-fields", tmp_path)
    code, out, err = run_import(root)
    assert code == 0, out + err
    assert "read the same" in out.splitlines()[-1]
    spec = yaml.safe_load((root / "devenv.yaml").read_text())
    web = spec["services"]["web"]
    assert "working_dir" not in web and "volumes" not in web
    assert web["compose"]["working_dir"] == "/srv" and "uploads" in str(web["compose"]["volumes"])
    assert "uploads" in spec["compose"]["volumes"]  # declared again at the top level
