#!/usr/bin/env python3
"""Build local stand-ins for the official Docker Hub images (no registry needed).

Every image is built from Debian bookworm packages on top of a debootstrapped
base image, and tagged with the name the official image has, under a prefix:

    docker.io/library/postgres:15  ->  devenv-local/library/postgres:15

so a registry mirror that rewrites ``docker.io/library/X`` to
``devenv-local/library/X`` serves them.  See README.md beside this file.

Usage:  python tests/standins/build.py [--prefix devenv-local] [NAME...]
Import: ensure_images(names=None, prefix="devenv-local") -> list[str]

Stdlib only (Python 3.11).  An image is rebuilt only when its tag is missing
or its ``dev.devenv.standin.hash`` label differs from the hash of its
directory's files (plus the host CA bundle and the parent image's id).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
HASH_LABEL = "dev.devenv.standin.hash"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
# Name of the CA bundle inside each build context (git-ignored if it ever
# lands in the source directory; build.py itself only uses a temp context).
CONTEXT_CA = "ca-certificates.crt"
DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
DEFAULT_PREFIX = "devenv-local"


@dataclass(frozen=True)
class Standin:
    name: str  # directory under tests/standins/
    repo: str  # official image name, e.g. "library/postgres"
    tag: str  # tag really provided by the Debian package
    needs: tuple[str, ...] = field(default=())  # stand-ins used as build stages
    # Further names of the same image ("repo:tag"): official references it serves although the
    # Debian package is another version or product (README.md says which, and why).
    aliases: tuple[str, ...] = field(default=())

    def ref(self, prefix: str) -> str:
        return f"{prefix}/{self.repo}:{self.tag}"

    def alias_refs(self, prefix: str) -> list[str]:
        return [f"{prefix}/{alias}" for alias in self.aliases]


STANDINS: dict[str, Standin] = {
    s.name: s
    for s in (
        Standin("postgres", "library/postgres", "15"),
        Standin("redis", "library/redis", "7"),
        Standin("rabbitmq", "library/rabbitmq", "3"),
        Standin("valkey", "valkey/valkey", "8"),
        Standin("memcached", "library/memcached", "1"),
        # MariaDB 10.11 from Debian serves the kinds' defaults mariadb:11 and mysql:8 (Debian has no MySQL)
        Standin("mariadb", "library/mariadb", "10.11", aliases=("library/mariadb:11", "library/mysql:8")),
        Standin("python", "library/python", "3.11-slim"),
        Standin("node", "library/node", "24-slim", needs=("python",)),
        Standin("caddy", "library/caddy", "2"),
    )
}


def base_ref(prefix: str) -> str:
    return f"{prefix}/debian:{DEBIAN_SUITE}"


def _log(msg: str) -> None:
    print(msg, flush=True)


def _docker(*args: str, check: bool = True, capture: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args],
        check=check,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
    )


def _inspect(ref: str, fmt: str) -> str | None:
    """`docker image inspect --format fmt ref`, or None if there is no such image."""
    proc = _docker("image", "inspect", "--format", fmt, ref, check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.strip()


def image_id(ref: str) -> str | None:
    return _inspect(ref, "{{.Id}}")


def image_label(ref: str, label: str) -> str | None:
    value = _inspect(ref, "{{index .Config.Labels " + json.dumps(label) + "}}")
    if value in (None, "", "<no value>"):
        return None
    return value


def dir_hash(name: str, parents: list[str]) -> str:
    """Hash of tests/standins/<name>/ (paths and contents), the host CA bundle
    baked into every image, and the ids of the images it is built from."""
    h = hashlib.sha256()
    root = HERE / name
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel == CONTEXT_CA or "__pycache__" in rel:
            continue
        h.update(rel.encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
        h.update(b"x" if os.access(path, os.X_OK) else b"-")
    if HOST_CA.is_file():
        h.update(b"ca\0" + HOST_CA.read_bytes())
    for parent in parents:
        h.update(b"parent\0" + (image_id(parent) or "missing").encode())
    return h.hexdigest()[:32]


def ensure_base(prefix: str = DEFAULT_PREFIX) -> str:
    """Make ``<prefix>/debian:bookworm`` with debootstrap unless it exists."""
    ref = base_ref(prefix)
    if image_id(ref):
        _log(f"{ref}: cached")
        return ref
    if shutil.which("debootstrap") is None:
        raise SystemExit(
            "debootstrap is not installed (apt-get install -y debootstrap, "
            "or run scripts/setup-engine.sh)"
        )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="devenv-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        subprocess.run(
            ["debootstrap", "--variant=minbase", DEBIAN_SUITE, str(rootfs), DEBIAN_MIRROR],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # Downloaded .debs and package lists are not needed in the image.
        for sub in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for entry in (rootfs / sub).glob("*"):
                if entry.is_file():
                    entry.unlink()
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        try:
            subprocess.run(["docker", "import", "-", ref], stdin=tar.stdout, check=True, stdout=subprocess.DEVNULL)
        finally:
            assert tar.stdout is not None
            tar.stdout.close()
            if tar.wait() != 0:
                raise SystemExit(f"tar of {rootfs} failed")
    _log(f"{ref}: built ({time.monotonic() - started:.0f}s)")
    return ref


@functools.cache
def _have_buildx() -> bool:
    """BuildKit via the CLI needs the buildx plugin; without it (e.g. a plain
    Debian docker.io CLI setup) use the classic builder, which these
    Dockerfiles do not mind."""
    return _docker("buildx", "version", check=False).returncode == 0


def build_one(standin: Standin, prefix: str = DEFAULT_PREFIX) -> str:
    ref = standin.ref(prefix)
    build_args = {"BASE": base_ref(prefix)}
    for dep in standin.needs:
        build_args[f"{dep.upper()}_IMAGE"] = STANDINS[dep].ref(prefix)
    wanted = dir_hash(standin.name, list(build_args.values()))
    if image_id(ref) and image_label(ref, HASH_LABEL) == wanted:
        _tag_aliases(standin, prefix)
        _log(f"{ref}: cached")
        return ref

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"devenv-standin-{standin.name}-") as tmp:
        ctx = Path(tmp) / "ctx"
        shutil.copytree(HERE / standin.name, ctx, ignore=shutil.ignore_patterns(CONTEXT_CA, "__pycache__"))
        if HOST_CA.is_file():
            shutil.copyfile(HOST_CA, ctx / CONTEXT_CA)
        else:  # no host bundle: keep the COPY valid with an empty file
            (ctx / CONTEXT_CA).write_text("")
        cmd = ["docker", "build", "-t", ref, "--label", f"{HASH_LABEL}={wanted}"]
        if _have_buildx():
            cmd.append("--progress=plain")
        for key, value in build_args.items():
            cmd += ["--build-arg", f"{key}={value}"]
        cmd.append(str(ctx))
        env = dict(os.environ, DOCKER_BUILDKIT="1" if _have_buildx() else "0")
        proc = subprocess.run(cmd, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-8000:])
        raise SystemExit(f"{ref}: docker build failed (exit {proc.returncode})")
    _tag_aliases(standin, prefix)
    _log(f"{ref}: built ({time.monotonic() - started:.0f}s)")
    return ref


def _tag_aliases(standin: Standin, prefix: str) -> None:
    """Point the stand-in's other names at its image (again, if a rebuild moved it)."""
    ref = standin.ref(prefix)
    wanted = image_id(ref)
    for alias in standin.alias_refs(prefix):
        if image_id(alias) != wanted:
            _docker("tag", ref, alias)


def _ordered(names: list[str]) -> list[Standin]:
    """The requested stand-ins plus what they are built from, dependencies first."""
    out: list[Standin] = []

    def visit(name: str) -> None:
        if name not in STANDINS:
            raise SystemExit(f"unknown stand-in {name!r} (choose from {', '.join(STANDINS)})")
        standin = STANDINS[name]
        for dep in standin.needs:
            visit(dep)
        if standin not in out:
            out.append(standin)

    for name in names:
        visit(name)
    return out


def ensure_images(names: list[str] | None = None, prefix: str = DEFAULT_PREFIX) -> list[str]:
    """Build (or reuse) the named stand-ins (default: all); return their tags.

    The list holds one tag per requested name, in the order asked.  The base
    image (``<prefix>/debian:bookworm``) and images used only as build stages
    (python for node) are made too but not listed unless requested.
    """
    requested = list(dict.fromkeys(names)) if names else list(STANDINS)
    order = _ordered(requested)  # validates names before any work
    ensure_base(prefix)
    built = {standin.name: build_one(standin, prefix) for standin in order}
    return [built[name] for name in requested]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help="image name prefix (default: %(default)s)")
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"stand-ins to build (default: all of {', '.join(STANDINS)})"
    )
    args = parser.parse_args(argv)
    if shutil.which("docker") is None:
        parser.error("docker CLI not found (run scripts/setup-engine.sh)")
    ensure_images(args.names or None, args.prefix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
