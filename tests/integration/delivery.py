"""Real parts for the delivery tests: a TLS registry on loopback and the one-node test cluster.

* :class:`Registry`: Debian's ``docker-registry`` (the CNCF distribution registry) on
  127.0.0.1 with a certificate from a test CA made by ``trustme``. The Docker Engine
  pushes to it (loopback registries are trusted by the engine); the cluster's containerd
  trusts the test CA (``scripts/test-cluster.sh trust-registry``).
* :func:`cluster_kubeconfig`: ``scripts/test-cluster.sh start`` (cached build), stopped by
  the caller with :func:`stop_cluster`.

Nothing here reaches an address off this machine.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.integration.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
CLUSTER_SCRIPT = ROOT / "scripts" / "test-cluster.sh"
MIRROR_PATH = "mirror"  # official images live under <registry>/mirror/library/...


@dataclass
class Registry:
    """A running registry: ``host`` is ``127.0.0.1:PORT``; ``ca`` the PEM file clients trust."""

    host: str
    ca: Path
    process: subprocess.Popen[bytes]
    pushed_tags: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"https://{self.host}{path}"

    def get(self, path: str) -> bytes:
        import ssl

        context = ssl.create_default_context(cafile=str(self.ca))
        with urllib.request.urlopen(self.url(path), context=context, timeout=10) as response:
            return bytes(response.read())

    def mirror_image(self, local: str, official: str) -> str:
        """Push the local stand-in ``local`` as ``<registry>/mirror/<official>`` (e.g. library/postgres:15)."""
        target = f"{self.host}/{MIRROR_PATH}/{official}"
        subprocess.run(["docker", "tag", local, target], check=True)
        self.pushed_tags.append(target)
        subprocess.run(["docker", "push", "-q", target], check=True, capture_output=True)
        return target

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        for tag in self.pushed_tags:  # only the tags this registry's tests made
            subprocess.run(["docker", "rmi", "--no-prune", tag], capture_output=True, check=False)


def standin_for_cluster(name: str) -> str:
    """The stand-in ``name`` as built from this tree, tagged by its content hash (``devenv-cluster/<name>:<hash>``).

    The shared ``devenv-local/...`` tag is rebuilt by whoever runs build.py with other
    sources; the cluster tests pin the content they test.
    """
    import os
    import tempfile

    from tests.integration.conftest import MIRROR_PREFIX, _load_standins

    build = _load_standins()
    build.ensure_base(MIRROR_PREFIX)
    base = build.base_ref(MIRROR_PREFIX)
    wanted = build.dir_hash(name, [base])
    ref = f"devenv-cluster/{name}:{wanted[:12]}"
    if build.image_id(ref):
        return ref
    with tempfile.TemporaryDirectory(prefix=f"devenv-cluster-{name}-") as tmp:
        context = Path(tmp) / "ctx"
        shutil.copytree(build.HERE / name, context)
        shutil.copyfile(build.HOST_CA, context / build.CONTEXT_CA)
        subprocess.run(
            ["docker", "build", "-q", "-t", ref, "--build-arg", f"BASE={base}", str(context)],
            check=True,
            capture_output=True,
            env={**os.environ, "DOCKER_BUILDKIT": "0"},
        )
    return ref


def start_registry(directory: Path) -> Registry:
    """``docker-registry serve`` on a free loopback port, TLS from a fresh trustme CA."""
    import trustme

    if shutil.which("docker-registry") is None:
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "docker-registry"],
            check=True,
            capture_output=True,
        )
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca.cert_pem.write_to_path(str(directory / "ca.pem"))
    cert.private_key_pem.write_to_path(str(directory / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(directory / "cert.pem"))
    port = free_port()
    (directory / "config.yml").write_text(
        "version: 0.1\n"
        "log: {level: warn}\n"
        f"storage: {{filesystem: {{rootdirectory: {directory / 'data'}}}, delete: {{enabled: true}}}}\n"
        "http:\n"
        f"  addr: 127.0.0.1:{port}\n"
        f"  tls: {{certificate: {directory / 'cert.pem'}, key: {directory / 'key.pem'}}}\n"
        "  debug: {addr: ''}\n"
    )
    log = (directory / "registry.log").open("wb")
    process = subprocess.Popen(
        ["docker-registry", "serve", str(directory / "config.yml")], stdout=log, stderr=subprocess.STDOUT
    )
    registry = Registry(f"127.0.0.1:{port}", directory / "ca.pem", process)
    deadline = time.monotonic() + 30
    while True:
        try:
            registry.get("/v2/")
            return registry
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                registry.stop()
                raise RuntimeError(f"the registry did not start: {(directory / 'registry.log').read_text()}") from None
            time.sleep(0.3)


def cluster_kubeconfig() -> Path:
    """Start (or find running) the test cluster; its kubeconfig."""
    done = subprocess.run(["bash", str(CLUSTER_SCRIPT), "start"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"scripts/test-cluster.sh start failed:\n{done.stderr[-3000:]}")
    return Path(done.stdout.strip().splitlines()[-1])


def trust_registry(registry: Registry) -> None:
    """The cluster's containerd pulls from ``registry``, trusting its CA."""
    subprocess.run(
        ["bash", str(CLUSTER_SCRIPT), "trust-registry", registry.host, str(registry.ca)],
        check=True,
        capture_output=True,
    )


def stop_cluster() -> None:
    subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop"], capture_output=True, check=False)
