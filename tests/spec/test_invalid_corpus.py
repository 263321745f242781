"""Every file in invalid/ is a devenv.yaml with a known error: one line, located, exit 2, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devenv.errors import SpecError
from devenv.spec.loader import load_project

CORPUS = sorted((Path(__file__).parent / "invalid").glob("*.yaml"))


def _expectations(path: Path) -> tuple[str, str | None]:
    expect, hint = None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect: "):
            expect = line[len("# expect: "):]
        elif line.startswith("# hint: "):
            hint = line[len("# hint: "):]
    assert expect, f"{path.name} has no '# expect:' line"
    return expect, hint


def _project(tmp_path: Path, source: Path) -> Path:
    for service in ("api", "worker"):
        folder = tmp_path / "services" / service
        folder.mkdir(parents=True)
        (folder / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "services" / "nodocker").mkdir()
    shutil.copy(source, tmp_path / "devenv.yaml")
    return tmp_path


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("source", CORPUS, ids=[p.stem for p in CORPUS])
def test_invalid_spec_gives_its_message(tmp_path: Path, source: Path):
    expect, hint = _expectations(source)
    root = _project(tmp_path, source)
    with pytest.raises(SpecError) as caught:
        load_project(root, environ={})
    assert str(caught.value) == expect
    assert "\n" not in str(caught.value)
    if hint:
        assert caught.value.hint == hint


@pytest.mark.parametrize("source", CORPUS[:8], ids=[p.stem for p in CORPUS[:8]])
def test_cli_exit_2_and_nothing_written(tmp_path: Path, source: Path, cli):
    expect, _ = _expectations(source)
    root = _project(tmp_path, source)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    code, out, err = cli("-C", root, "generate")
    assert code == 2
    assert err.splitlines()[0] == expect
    assert "Traceback" not in err + out
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
