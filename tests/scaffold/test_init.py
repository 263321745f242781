"""`devenv init`."""

from __future__ import annotations

from devenv.spec.loader import load_project


def test_init_writes_a_valid_project(tmp_path, cli):
    root = tmp_path / "My Shop"
    code, out, err = cli("init", root)
    assert code == 0, out + err
    for rel in ("devenv.yaml", ".gitignore", "README.md", "fixtures/README.md", ".github/workflows/devenv.yml"):
        assert (root / rel).is_file(), rel
    project = load_project(root)
    assert project.name == "my-shop"
    assert project.spec.services == {} and project.spec.dependencies == {}
    workflow = (root / ".github/workflows/devenv.yml").read_text()
    assert "devenv generate --check" in workflow and "devenv --output plain test" in workflow
    assert "devenv --output plain check --junit reports" in workflow and "check --integration" in workflow


def test_init_takes_a_name(tmp_path, cli):
    code, _, _ = cli("init", tmp_path / "x", "--name", "shop")
    assert code == 0
    assert load_project(tmp_path / "x").name == "shop"


def test_init_refuses_a_bad_name(tmp_path, cli):
    code, _, err = cli("init", tmp_path / "x", "--name", "Shop_1")
    assert code == 2
    assert "'Shop_1' is not a valid project name" in err
    assert not (tmp_path / "x" / "devenv.yaml").exists()


def test_init_never_overwrites_without_force(tmp_path, cli):
    root = tmp_path / "p"
    root.mkdir()
    (root / "README.md").write_text("mine\n")
    code, _, err = cli("init", root)
    assert code == 2
    assert "already has README.md" in err and "--force" in err
    assert (root / "README.md").read_text() == "mine\n"
    assert not (root / "devenv.yaml").exists()  # nothing written

    code, out, _ = cli("init", root, "--force")
    assert code == 0
    assert "overwrote" in out and (root / "README.md").read_text() != "mine\n"


def test_init_keeps_unrelated_files(tmp_path, cli):
    root = tmp_path / "p"
    root.mkdir()
    (root / "notes.txt").write_text("keep\n")
    assert cli("init", root)[0] == 0
    assert (root / "notes.txt").read_text() == "keep\n"
