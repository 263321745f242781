"""Input `devenv import` cannot read: exit 2, one line (the files and Compose's own error), nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.importer.conftest import needs_compose, run_import

pytestmark = needs_compose

BROKEN = {
    "yaml-syntax": ("services:\n  a:\n    image: [x\n", "error: docker-compose.yml: yaml: line "),
    "unknown-key": (
        "services:\n  a:\n    imag: x\n",
        "error: docker-compose.yml: validating docker-compose.yml: services.a additional properties 'imag' not allowed",
    ),
    "undefined-dependency": (
        "services:\n  a:\n    image: x\n    depends_on: [b]\n",
        'error: docker-compose.yml: service "a" depends on undefined service "b": invalid compose project',
    ),
    "required-variable": (
        "services:\n  a:\n    image: ${TAG:?set TAG first}\n",
        (
            "error: docker-compose.yml: error while interpolating services.a.image: required variable TAG is missing "
            "a value: set TAG first"
        ),
    ),
    "bad-port": (
        "services:\n  a:\n    image: x\n    ports: [abc]\n",
        "error: docker-compose.yml: invalid containerPort: abc",
    ),
    "empty": ("", "error: docker-compose.yml: empty compose file"),
}


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_unreadable_compose_file(tmp_path: Path, name: str, monkeypatch):
    monkeypatch.delenv("TAG", raising=False)
    text, expected = BROKEN[name]
    (tmp_path / "docker-compose.yml").write_text(text)
    before = _files(tmp_path)
    code, out, err = run_import(tmp_path)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(expected), lines[0]
    assert _files(tmp_path) == before


def test_no_compose_file(tmp_path: Path):
    code, _, err = run_import(tmp_path)
    assert code == 2
    assert err.splitlines()[0] == (
        f"error: no compose file in {tmp_path.resolve()} (compose.yaml, compose.yml, docker-compose.yml, "
        "docker-compose.yaml)"
    )
    assert err.splitlines()[1].startswith("hint: ")
    assert list(tmp_path.iterdir()) == []


def test_missing_file_named_with_f(tmp_path: Path):
    (tmp_path / "docker-compose.yml").write_text("services:\n  a:\n    image: x\n")
    code, _, err = run_import(tmp_path, "-f", "docker-compose.yml", "-f", "nope.yml")
    assert code == 2
    assert err.splitlines()[0] == "error: nope.yml: no such file"


def test_an_existing_devenv_yaml_is_kept_without_force(tmp_path: Path):
    (tmp_path / "docker-compose.yml").write_text("services:\n  a:\n    image: x\n")
    (tmp_path / "devenv.yaml").write_text("name: mine\n")
    before = _files(tmp_path)
    code, _, err = run_import(tmp_path)
    assert code == 2
    assert err.splitlines() == [
        f"error: devenv.yaml already exists in {tmp_path.resolve()}",
        "hint: `devenv import --force` replaces it (the compose files are kept either way)",
    ]
    assert _files(tmp_path) == before
    code, _, err = run_import(tmp_path, "--force")
    assert code == 0, err
    assert (tmp_path / "devenv.yaml").read_text() != "name: mine\n"
    assert (tmp_path / "docker-compose.original.yml").read_text() == "services:\n  a:\n    image: x\n"


def test_a_missing_directory(tmp_path: Path):
    code, _, err = run_import(tmp_path / "nope")
    assert code == 2
    assert err.splitlines()[0] == f"error: project directory '{tmp_path / 'nope'}' does not exist"


def test_originals_are_never_overwritten(tmp_path: Path):
    (tmp_path / "docker-compose.yml").write_text("services:\n  a:\n    image: x\n")
    (tmp_path / "docker-compose.original.yml").write_text("# an earlier original\n")
    code, out, err = run_import(tmp_path)
    assert code == 0, err
    assert "moved docker-compose.yml -> docker-compose.original-2.yml" in out
    assert (tmp_path / "docker-compose.original.yml").read_text() == "# an earlier original\n"
    assert (tmp_path / "docker-compose.original-2.yml").read_text() == "services:\n  a:\n    image: x\n"
