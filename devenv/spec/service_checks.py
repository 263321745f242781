"""Rules across services for the service fields (devenv/spec/service_fields.py).

Called by :func:`devenv.spec.checks.check_spec`: one secret name is one file for the whole
project (Compose declares it once, at the top level), and a host port is published by
one service only (devenv's own ports included).
"""

from __future__ import annotations

from typing import Protocol

from devenv.render.compose import CA_SECRET
from devenv.spec.model import Spec
from devenv.spec.yamlsource import PathKey


class Problem(Protocol):
    """Records one problem (see ``check_spec``)."""

    def __call__(self, loc: PathKey, field: str, text: str, *, key: bool = False, hint: str | None = None) -> None: ...


def check_service_fields(spec: Spec, published: dict[int, str], problem: Problem) -> None:
    """Secrets named twice with other files, the CA secret's name, host ports published twice."""
    files: dict[str, tuple[str, str]] = {}
    for name, service in spec.services.items():
        for secret, file in service.secrets.items():
            loc: PathKey = ("services", name, "secrets", secret)
            field = f"services.{name}.secrets.{secret}"
            if secret == CA_SECRET:
                problem(loc, field, f"'{CA_SECRET}' is the name devenv gives the CA bundle's build secret", key=True,
                        hint="name the secret otherwise")  # fmt: skip
            elif secret in files and files[secret][1] != file:
                other, first = files[secret]
                problem(loc, field, f"secret '{secret}' is already the file '{first}' (services.{other})",
                        hint="one name, one file: name this secret otherwise")  # fmt: skip
            else:
                files.setdefault(secret, (name, file))
    for name, service in spec.services.items():
        for index, port in enumerate(service.ports):
            if port.host is None or port.protocol != "tcp":
                continue
            owner = f"services.{name}"
            if port.host in published:
                problem(("services", name, "ports", index), f"{owner}.ports",
                        f"host port {port.host} is already used by {published[port.host]}",
                        hint="publish it on another host port")  # fmt: skip
            else:
                published[port.host] = owner


__all__ = ["check_service_fields"]
