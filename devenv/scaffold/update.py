"""`devenv update [SERVICE...]`: bring template changes into services, keeping local edits.

``copier update`` does a three-way merge: it renders the *old* template version with
the service's answers, diffs that against the service as it is now (the user's
edits), renders the *new* version, and applies the user's diff on top. It needs the
template as a git repository with version tags, and the service inside a clean git
repository. devenv gives it both in a throw-away sandbox, so neither the project nor
the user's own git state matters:

* template repo: the old version, unpacked from ``.devenv/templates/`` and tagged
  ``1.0.0``, then the current template tagged ``2.0.0``;
* service repo: a copy of ``services/NAME`` (without node_modules, caches...), its
  answers file pointed at the template repo at ``1.0.0``, committed.

After ``copier update --vcs-ref 2.0.0 --conflict inline``, the files that changed are
copied back into the service (files the update deleted are deleted), the answers
file records the new version, and the new version is kept in ``.devenv/templates/``.
Conflicts are left in the files with ``<<<<<<< before updating`` /
``>>>>>>> after updating`` markers and reported by file: nothing is overwritten silently.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from devenv.errors import DevenvError, UsageError
from devenv.events import ServiceUpdate
from devenv.scaffold.render import read_answers, template_of, write_answers
from devenv.scaffold.templates import (
    ANSWERS_FILE,
    SERVICE_TEMPLATES,
    TMP_DIR,
    extract_snapshot,
    save_snapshot,
    snapshot_path,
    template_dir,
    template_version,
)
from devenv.spec.loader import load_project

OLD_TAG = "1.0.0"
NEW_TAG = "2.0.0"
SANDBOX_SKIP = {".git", "node_modules", "__pycache__", ".pytest_cache", ".venv", "venv", "dist", ".mypy_cache"}
CONFLICT_MARKERS = (b"<<<<<<< before updating", b">>>>>>> after updating")

__all__ = ["ServiceUpdate", "update_service", "update_services"]


def update_services(root: Path, services: list[str] | None = None) -> list[ServiceUpdate]:
    """Update the named services (default: every service made from a template)."""
    project = load_project(root)
    spec = project.spec
    for name in services or []:
        if name not in spec.services:
            raise UsageError(f"'{name}' is not a service in devenv.yaml")
    chosen = services or [n for n, s in spec.services.items() if s.builds]
    out = []
    for name in chosen:
        service_dir = project.root / spec.services[name].build_path(name)
        answers = read_answers(service_dir) if service_dir.is_dir() else None
        template = template_of(answers)
        if template is None or template not in SERVICE_TEMPLATES:
            if services:
                raise UsageError(
                    f"'{name}' was not made from a devenv template (no {ANSWERS_FILE} with _src_path: devenv:...)"
                )
            out.append(ServiceUpdate(name, "skipped", reason="not made from a template"))
            continue
        out.append(update_service(project.root, name, service_dir, template, answers or {}))
    return out


def update_service(root: Path, name: str, service_dir: Path, template: str, answers: dict[str, Any]) -> ServiceUpdate:
    """Update one service from its template (see the module docs)."""
    src = template_dir(template)
    new_version = template_version(src)
    old_version = str(answers.get("_commit") or "")
    result = ServiceUpdate(name, "up-to-date", template=template, old_version=old_version, new_version=new_version)
    if old_version == new_version:
        return result
    old_snapshot = snapshot_path(root, template, old_version)
    if not old_snapshot.is_file():
        raise DevenvError(
            f"{name}: the {template} template version {old_version or '(none)'} it was made from is not in "
            f"{old_snapshot.parent.relative_to(root)}/",
            hint=f"restore {old_snapshot.relative_to(root)} from version control; without it, "
            "devenv cannot tell your edits from the template's",
        )
    tmp_root = root / TMP_DIR
    tmp_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="update-", dir=tmp_root) as tmp, _git_identity(Path(tmp)):
        sandbox = Path(tmp)
        repo = sandbox / "template"
        _template_repo(repo, old_snapshot, src)
        work = sandbox / "service"
        _copy_tree(service_dir, work)
        write_answers(work, template, OLD_TAG, src_path=str(repo))
        _git(work, "init", "-q")
        _git(work, "add", "-A", "--force")
        _git(work, "commit", "-q", "--no-verify", "-m", "service before update")
        _copier_update(work)
        write_answers(work, template, new_version)
        changed, deleted = _changes(work)
        conflicts = [rel for rel in changed if _has_markers(work / rel)]
        for rel in changed:
            dest = service_dir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(work / rel, dest)
        for rel in deleted:
            (service_dir / rel).unlink(missing_ok=True)
    save_snapshot(root, template, src, new_version)
    _remove_if_empty(tmp_root)
    return replace(
        result,
        status="conflicts" if conflicts else "updated",
        changed=sorted(r for r in changed if r != ANSWERS_FILE),
        deleted=sorted(deleted),
        conflicts=sorted(conflicts),
    )


def _template_repo(repo: Path, old_snapshot: Path, src: Path) -> None:
    repo.mkdir(parents=True)
    _git(repo, "init", "-q")
    extract_snapshot(old_snapshot, repo)
    _git(repo, "add", "-A", "--force")
    _git(repo, "commit", "-q", "--no-verify", "-m", "old template")
    _git(repo, "tag", OLD_TAG)
    _git(repo, "rm", "-r", "-q", "--cached", ".")
    for child in repo.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    _copy_tree(src, repo)
    _git(repo, "add", "-A", "--force")
    _git(repo, "commit", "-q", "--no-verify", "--allow-empty", "-m", "new template")
    _git(repo, "tag", NEW_TAG)


def _copier_update(work: Path) -> None:
    from copier import run_update
    from copier.errors import CopierError

    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            run_update(
                str(work),
                vcs_ref=NEW_TAG,
                defaults=True,
                overwrite=True,
                conflict="inline",
                quiet=True,
                unsafe=False,
                skip_answered=True,
                skip_tasks=True,
            )
    except CopierError as exc:
        raise DevenvError(f"copier update failed: {exc}") from exc


def _changes(work: Path) -> tuple[list[str], list[str]]:
    """Files the update changed or added, and files it deleted (relative paths)."""
    out = _git(work, "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames")
    changed, deleted = [], []
    for entry in filter(None, out.split("\0")):
        code, rel = entry[:2], entry[3:]
        if rel.endswith(".rej"):
            continue
        if "D" in code and not (work / rel).exists():
            deleted.append(rel)
        else:
            changed.append(rel)
    return changed, deleted


def _has_markers(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return any(line.rstrip() in CONFLICT_MARKERS for line in handle)
    except OSError:
        return False


def _copy_tree(src: Path, dest: Path) -> None:
    shutil.copytree(
        src,
        dest,
        dirs_exist_ok=True,
        symlinks=True,
        ignore=lambda _dir, names: [n for n in names if n in SANDBOX_SKIP],
    )


def _git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        raise DevenvError(f"git {' '.join(args)} failed: {(proc.stderr or proc.stdout).strip()}")
    return proc.stdout


@contextlib.contextmanager
def _git_identity(sandbox: Path) -> Iterator[None]:
    """Git in the sandbox: a fixed identity, none of the user's config (hooks, signing)."""
    config = sandbox / "gitconfig"
    config.write_text("[user]\n\tname = devenv\n\temail = devenv@localhost\n[init]\n\tdefaultBranch = main\n")
    values = {
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "devenv",
        "GIT_AUTHOR_EMAIL": "devenv@localhost",
        "GIT_COMMITTER_NAME": "devenv",
        "GIT_COMMITTER_EMAIL": "devenv@localhost",
        "GIT_TERMINAL_PROMPT": "0",
    }
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _remove_if_empty(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.rmdir()
