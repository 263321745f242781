"""What each compose service becomes in devenv.yaml: the native fields. Pure.

From Compose's normalised project, :func:`propose` says, per service, what the spec's
own fields can hold: a dependency of a known kind (its image's repository is the kind's),
a service built from a path, or a service from an image; its port, whether it is
published, its HTTP health path, command and dependencies. Everything else is left to
:mod:`devenv.importer.refine`, which renders the proposal and keeps the rest as raw
compose keys. A file devenv generated itself (its ``dev.devenv.*`` labels) gives back
its fixtures, health paths, code mounts and reloaders, so they are generated again.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from devenv import kinds
from devenv.fixtures.render import BARRIER, FIXTURES_PATH, LABEL_FIXTURES, SEED_SUFFIX
from devenv.importer.clean import Where, relative, tidy_top, tidy_value, unescape
from devenv.importer.compare import http_check, renamed_refs
from devenv.importer.extras import env_files, native_fields, used_natively
from devenv.importer.images import image_for, kind_of_image
from devenv.render.compose import CA_SECRET, LABEL_KIND, LABEL_ROLE, PROBES_PATH
from devenv.render.develop import HOST_USER_ENV, POLLING_ENV, RELOADER_PATH
from devenv.render.programs import PROGRAMS_DIR
from devenv.spec.service_fields import PROFILE

Became = Literal["dependency", "build", "image", "raw"]
_LABEL = re.compile(r"[^a-z0-9-]+")
TOP_KEYS = ("volumes", "networks", "secrets", "configs", "models")


@dataclass
class Proposal:
    """One compose service, as devenv.yaml will hold it."""

    original: str
    name: str
    became: Became
    entry: dict[str, Any]  # the spec entry: native fields, then `compose` (raw keys)
    summary: str = ""
    notes: list[str] = field(default_factory=list)
    templates: tuple[str | None, ...] = (None,)  # templates to try (devenv-made services), best first
    fixed: dict[str, Any] = field(default_factory=dict)  # raw keys known from the start (env_file, a build)

    @property
    def section(self) -> str:
        """Where the entry goes: services or dependencies (raw services go under the top-level compose)."""
        return "dependencies" if self.became == "dependency" else "services"

    @property
    def raw(self) -> dict[str, Any]:
        """The entry's raw compose keys."""
        raw = self.entry.setdefault("compose", {})
        assert isinstance(raw, dict)
        return raw


@dataclass
class Proposals:
    """The whole project."""

    name: str
    where: Where
    services: list[Proposal] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # devenv's own one-shot services: name -> why
    top: dict[str, Any] = field(default_factory=dict)  # top-level raw keys
    native_top: dict[str, Any] = field(default_factory=dict)  # top-level entries the service fields declare
    fixtures: dict[str, str] = field(default_factory=dict)
    project: dict[str, Any] = field(default_factory=dict)  # ca_certificates, develop
    notes: list[str] = field(default_factory=list)

    @property
    def renamed(self) -> dict[str, str]:
        """Original names that changed: original -> devenv name."""
        return {p.original: p.name for p in self.services if p.original != p.name and p.became != "raw"}

    def by_name(self, name: str) -> Proposal:
        return next(p for p in self.services if p.name == name)

    def spec(self, templates: dict[str, str | None] | None = None) -> dict[str, Any]:
        """devenv.yaml as data (``templates``: the template to write for services that try several)."""
        data: dict[str, Any] = {"name": self.name}
        services: dict[str, Any] = {}
        dependencies: dict[str, Any] = {}
        raw_services: dict[str, Any] = {}
        for proposal in self.services:
            entry = {k: v for k, v in proposal.entry.items() if v not in (None, {}, [])}
            if proposal.became == "raw":
                raw_services[proposal.original] = proposal.raw
                continue
            template = (templates or {}).get(proposal.name, proposal.templates[0])
            if template:
                entry = {"template": template, **entry}
            (dependencies if proposal.became == "dependency" else services)[proposal.name] = entry
        if services:
            data["services"] = services
        if dependencies:
            data["dependencies"] = dependencies
        if self.fixtures:
            data["fixtures"] = dict(self.fixtures)
        data.update(self.project)
        top = dict(self.top)
        if raw_services:
            top["services"] = raw_services
        if top:
            data["compose"] = top
        return data


def renamed_note(original: str, entry: dict[str, Any]) -> str:
    """What the report says about a renamed service."""
    if entry.get("network_mode"):  # no networks, no aliases
        return f"renamed from {original} (devenv names are DNS labels)"
    return f"renamed from {original} (devenv names are DNS labels); the old name stays a network alias"


def dns_label(text: str, fallback: str) -> str:
    """``My_App.v2`` -> ``my-app-v2``: a name devenv accepts (DNS-1123 label)."""
    label = _LABEL.sub("-", text.lower()).strip("-")[:63].strip("-")
    return label or fallback


def propose(normalised: dict[str, Any], raw: dict[str, Any] | None, root: Path) -> Proposals:
    """What each service of Compose's normalised project becomes; ``raw`` is the uninterpolated one (or None)."""
    original_project = str(normalised.get("name") or root.name)
    name = dns_label(original_project, "app")
    where = Where(root=root.resolve().as_posix(), original_project=original_project, project=name)
    out = Proposals(name=name, where=where)
    services: dict[str, Any] = normalised.get("services") or {}
    raw_services: dict[str, Any] = (raw or {}).get("services") or {}
    taken: set[str] = set()
    names: dict[str, str] = {}
    for original in services:
        new = dns_label(original, "service")
        base, index = new, 2
        while new in taken:
            new, index = f"{base[:60]}-{index}", index + 1
        taken.add(new)
        names[original] = new
    claimed: set[int] = set()
    for original, entry in services.items():
        if not isinstance(entry, dict):
            continue
        role = str((entry.get("labels") or {}).get(LABEL_ROLE, ""))
        if role == "barrier" or (role == "oneshot" and _fixture_of(entry, where, out)):
            out.skipped[original] = "devenv's own seeding service, made again from fixtures"
            continue
        if role == "dashboard":
            out.skipped[original] = "devenv's own dashboard, made again (observability in devenv.yaml)"
            continue
        proposal = _propose_service(original, names[original], entry, where, claimed)
        if proposal.became in ("build", "image"):
            _native(proposal, entry, where, claimed, normalised.get("secrets") or {})
        proposal.entry = _with_env_file(proposal, raw_services.get(original), where)
        if proposal.became != "raw":
            proposal.fixed = dict(proposal.entry.get("compose") or {})
        out.services.append(proposal)
    native = {p.original: p.name for p in out.services if p.became != "raw"}
    for proposal in out.services:
        if proposal.became == "raw":  # it keeps its name; what it refers to may have a new one
            proposal.entry["compose"] = renamed_refs(proposal.raw, out.renamed)
        elif proposal.became != "dependency":
            _depends_on(proposal, services[proposal.original], native)
    if raw is None:
        out.notes.append("Compose cannot read the files uninterpolated: env_file values are written as values")
    _top_level(normalised, out)
    _project_settings(normalised, out)
    _fixtures_order(services, out)
    return out


def _native(proposal: Proposal, entry: dict[str, Any], where: Where, claimed: set[int], secrets: Any) -> None:
    """The compose keys the spec's service fields hold (devenv.importer.extras), devenv-made services aside."""
    made = bool((entry.get("labels") or {}).get(LABEL_ROLE))
    native_fields(
        proposal.entry,
        {k: v for k, v in entry.items() if not made or k not in ("volumes", "user")},
        where,
        claimed,
        built="path" in proposal.entry,
        top_secrets=secrets if isinstance(secrets, dict) else {},
    )


def _fixtures_order(services: dict[str, Any], out: Proposals) -> None:
    """The fixtures entry whose seeding service gave the barrier its image comes first, as it did."""
    barrier = services.get(BARRIER)
    image = barrier.get("image") if isinstance(barrier, dict) else None
    first = [
        dependency
        for dependency in out.fixtures
        if (services.get(f"{dependency}{SEED_SUFFIX}") or {}).get("image") == image
    ]
    if first:
        out.fixtures = {first[0]: out.fixtures[first[0]]} | out.fixtures


def _propose_service(original: str, name: str, entry: dict[str, Any], where: Where, claimed: set[int]) -> Proposal:
    labels = entry.get("labels") or {}
    image = entry.get("image")
    build = entry.get("build")
    if build is None and isinstance(image, str):
        kind_name = labels.get(LABEL_KIND) if labels.get(LABEL_ROLE) == "dependency" else None
        kind = kinds.get(kind_name) if kind_name in kinds.names() else kind_of_image(unescape(image))
        if kind is not None:
            return _dependency(original, name, entry, kind, unescape(image), claimed)
    if isinstance(build, dict):
        proposal = _built(original, name, entry, build, where)
    elif isinstance(image, str):
        shown = unescape(image)
        proposal = Proposal(original, name, "image", {"image": shown}, f"service from image {shown}")
    else:
        raw = {k: tidy_value(k, v, where) for k, v in entry.items() if v is not None and k != "networks"}
        if entry.get("networks") not in (None, {"default": None}):
            raw["networks"] = unescape(entry["networks"])
        return Proposal(original, original, "raw", {"compose": raw},
                        "kept whole as raw compose under compose.services (no image and no build to run)")  # fmt: skip
    _ports_and_health(proposal, entry, claimed)
    command = entry.get("command")
    if isinstance(command, list) and command and all(isinstance(arg, str) for arg in command):
        proposal.entry["command"] = unescape(command)
    if original != name:
        proposal.notes.append(renamed_note(original, entry))
    return proposal


def _dependency(original: str, name: str, entry: dict[str, Any], kind: kinds.DependencyKind, image: str,
                claimed: set[int]) -> Proposal:  # fmt: skip
    version, override = image_for(kind, image)
    spec: dict[str, Any] = {"kind": kind.name, "version": version, "image": override}
    for port in entry.get("ports") or []:
        published = _single_port(port.get("published")) if isinstance(port, dict) else None
        if isinstance(port, dict) and port.get("target") == kind.port and published and published not in claimed:
            spec["host_port"] = published
            claimed.add(published)
            break
    profiles = entry.get("profiles")
    if isinstance(profiles, list) and profiles and all(isinstance(p, str) and PROFILE.match(p) for p in profiles):
        spec["profiles"] = list(profiles)
    spec.update(_credentials(kind, entry.get("environment")))
    summary = f"dependency ({kind.name} {version or ''}".rstrip() + (f", image {override})" if override else ")")
    proposal = Proposal(original, name, "dependency", spec, summary)
    if original != name:
        proposal.notes.append(renamed_note(original, entry))
    return proposal


def _credentials(kind: kinds.DependencyKind, environment: object) -> dict[str, str]:
    """``user``, ``password``, ``database`` from the image's own variables (docs/spec.md#credentials).

    Only when the spec can say them (plain names, a password a URL carries as is), so the
    connection URLs, seeding and snapshots use what the image was given.
    """
    from pydantic import TypeAdapter, ValidationError

    from devenv.spec.model import SqlName, UrlSafe

    if not isinstance(environment, dict):
        return {}
    env = {key: unescape(value) for key, value in environment.items() if isinstance(value, str)}
    found = kind.credentials_in(env)
    try:
        for key, value in found.items():
            TypeAdapter(UrlSafe if key == "password" else SqlName).validate_python(value)
    except ValidationError:
        return {}
    return found


def _built(original: str, name: str, entry: dict[str, Any], build: dict[str, Any], where: Where) -> Proposal:
    """A built service: natively when its context is a directory in the project holding its Dockerfile."""
    root = Path(where.root)
    context = str(unescape(build.get("context") or "."))
    dockerfile = str(unescape(build.get("dockerfile") or "Dockerfile"))
    target = build.get("target")
    directory = Path(context)
    file = directory / dockerfile if not dockerfile.startswith("/") else Path(dockerfile)
    why = ""
    if "://" in context or context.startswith("git@"):
        why = "the build context is not a directory"
    elif "dockerfile_inline" in build:
        why = "the Dockerfile is inline"
    elif not (directory == root or root in directory.resolve().parents):
        why = "the build context is outside the project directory"
    elif not file.resolve().is_file() or root not in file.resolve().parents:
        why = f"no Dockerfile at {relative(str(file), where)}"
    if why:
        image = unescape(entry.get("image")) or f"{where.original_project}-{original}"
        spec: dict[str, Any] = {"image": image, "compose": {"build": tidy_value("build", build, where)}}
        summary = f"service built from {relative(context, where)} (kept as raw compose: build; {why})"
        return Proposal(original, name, "build", spec, summary)
    path = relative(context, where, dot=False)
    spec = {"path": None if path == f"services/{name}" else path}
    rel_file = posixpath.relpath(file.resolve().as_posix(), directory.resolve().as_posix())
    if rel_file != "Dockerfile":
        spec["dockerfile"] = rel_file
    if isinstance(target, str):
        spec["target"] = unescape(target)
    shown = "./" if path == "." else f"./{path}"
    details = [part for part in (rel_file if rel_file != "Dockerfile" else "", f"target {target}" if target else "")
               if part]  # fmt: skip
    summary = f"service built from {shown}" + (f" ({', '.join(details)})" if details else "")
    return Proposal(original, name, "build", spec, summary)


def _single_port(published: Any) -> int | None:
    text = str(published or "")
    return int(text) if text.isdigit() and 1 <= int(text) <= 65535 else None


def _ports_and_health(proposal: Proposal, entry: dict[str, Any], claimed: set[int]) -> None:
    """port (the first published or exposed container port), public and host_port, health."""
    spec = proposal.entry
    ports = [p for p in entry.get("ports") or [] if isinstance(p, dict) and p.get("protocol", "tcp") == "tcp"]
    first = ports[0] if ports else None
    port = first.get("target") if first else None
    if port is None:
        for exposed in entry.get("expose") or []:
            text, _, protocol = str(exposed).partition("/")
            if text.isdigit() and protocol in ("", "tcp"):
                port = int(text)
                break
    check = http_check((entry.get("healthcheck") or {}).get("test"))
    if port is None and check is not None:
        port = check[0]
    if not isinstance(port, int) or not 1 <= port <= 65535:
        return
    spec["port"] = port
    published = _single_port(first.get("published")) if first else None
    if published is not None and published not in claimed:
        claimed.add(published)
        spec["public"] = True
        if published != port:
            spec["host_port"] = published
    healthcheck = entry.get("healthcheck") or {}
    if check is not None and check[0] == port and not healthcheck.get("disable"):
        spec["health"] = check[1]
        test = healthcheck.get("test") or []
        if not any(PROBES_PATH in str(word) for word in test):
            proposal.notes.append(
                f"health: the health check's HTTP GET of {check[1]} on port {port} is made by devenv's probe "
                f"({PROBES_PATH}/, mounted from {PROGRAMS_DIR}/health) instead of the original's command"
            )


def _depends_on(proposal: Proposal, entry: dict[str, Any], native: dict[str, str]) -> None:
    """The services and dependencies it waits for (devenv's conditions; refine keeps the original's)."""
    targets = [native[target] for target in entry.get("depends_on") or {} if target in native]
    if targets:
        proposal.entry["depends_on"] = targets


def _with_env_file(proposal: Proposal, raw_entry: Any, where: Where) -> dict[str, Any]:
    """The entry with the service's env_file list (from the uninterpolated project): native, or else a raw key."""
    listed = raw_entry.get("env_file") if isinstance(raw_entry, dict) else None
    native = env_files(listed, where) if proposal.became in ("build", "image") else None
    if native:
        proposal.entry["env_file"] = native
    elif isinstance(listed, list) and listed and proposal.became != "raw":
        proposal.raw["env_file"] = tidy_value("env_file", listed, where)
    return proposal.entry


def _fixture_of(entry: dict[str, Any], where: Where, out: Proposals) -> bool:
    """A devenv seeding service gives back its fixtures entry (the directory mounted on /fixtures), if it is there."""
    dependency = (entry.get("labels") or {}).get(LABEL_FIXTURES)
    for volume in entry.get("volumes") or []:
        if isinstance(volume, dict) and volume.get("target") == FIXTURES_PATH and dependency:
            source = str(volume.get("source"))
            if Path(source).is_dir():
                out.fixtures[str(dependency)] = relative(source, where, dot=False)
                return True
    return False


def _top_level(normalised: dict[str, Any], out: Proposals) -> None:
    """Top-level keys: volumes, networks, secrets, configs, models and x-* extensions, as raw keys."""
    data_volumes = {
        f"{p.name}-data" for p in out.services if p.became == "dependency" and kinds.get(p.entry["kind"]).data_path
    }
    native_volumes: set[str] = set()
    native_secrets: set[str] = set()
    for proposal in out.services:
        if proposal.became in ("build", "image"):
            volumes, secrets = used_natively(proposal.entry)
            native_volumes |= volumes
            native_secrets |= secrets
    for section in TOP_KEYS:
        entries = tidy_top(section, normalised.get(section), out.where)
        if not isinstance(entries, dict):
            continue
        kept = {
            key: entry
            for key, entry in entries.items()
            if not (section == "volumes" and key in data_volumes and entry == {})
            and not (section == "secrets" and key == CA_SECRET)
        }
        declared = {
            key: kept.pop(key)
            for key, entry in list(kept.items())
            if (section == "volumes" and key in native_volumes and entry == {})
            or (section == "secrets" and key in native_secrets and set(entry) == {"file"})
        }
        if declared:
            out.native_top[section] = declared
        if kept:
            out.top[section] = kept
    for key, value in normalised.items():
        if key.startswith("x-"):
            out.top[key] = unescape(value)


def _project_settings(normalised: dict[str, Any], out: Proposals) -> None:
    """What a devenv-made file says about the whole project: the CA bundle, polling watchers."""
    secret = (normalised.get("secrets") or {}).get(CA_SECRET)
    if isinstance(secret, dict) and isinstance(secret.get("file"), str) and Path(secret["file"]).is_file():
        out.project["ca_certificates"] = relative(secret["file"], out.where, dot=False)
    services = normalised.get("services") or {}
    made = [s for s in services.values() if isinstance(s, dict) and (s.get("labels") or {}).get(LABEL_ROLE)]
    if made and any(
        all((s.get("environment") or {}).get(k) == v for k, v in POLLING_ENV.items()) for s in made
    ):
        out.project["develop"] = {"polling": True}
    for proposal in out.services:
        _develop_of(proposal, services.get(proposal.original) or {}, out.where)


def _develop_of(proposal: Proposal, entry: dict[str, Any], where: Where) -> None:
    """The hot-reload settings of a service devenv made: its code mount, reloader and rebuild rules."""
    if proposal.became != "build" or "path" not in proposal.entry or not (entry.get("labels") or {}).get(LABEL_ROLE):
        return
    source = f"./{proposal.entry.get('path') or f'services/{proposal.name}'}"
    mount = None
    reloader = False
    for volume in entry.get("volumes") or []:
        if not isinstance(volume, dict):
            continue
        if volume.get("type") == "bind" and relative(str(volume.get("source")), where) == source:
            mount = volume.get("target")
        if volume.get("target") == RELOADER_PATH:
            reloader = True
    environment = entry.get("environment") or {}
    hot_reload = "user" in entry and all(environment.get(k) == v for k, v in HOST_USER_ENV.items())
    if mount is None or not hot_reload:  # a bind mount of the code alone is the user's own
        return
    rules = (entry.get("develop") or {}).get("watch") or []
    prefix = f"{source}/"
    rebuild = [relative(str(r.get("path")), where).removeprefix(prefix) for r in rules
               if isinstance(r, dict) and r.get("action") == "rebuild"]  # fmt: skip
    develop: dict[str, Any] = {"mount": mount, "rebuild": rebuild, "reloader": reloader}
    proposal.entry["develop"] = develop
    command = proposal.entry.get("command") or []
    guesses: list[str | None] = []
    if reloader and command[:3] == ["python", RELOADER_PATH, "serve"]:
        guesses.append("backend")
    if reloader and command[:3] == ["python", RELOADER_PATH, "run"]:
        guesses.append("worker")
    if any(isinstance(v, dict) and v.get("type") == "tmpfs" for v in entry.get("volumes") or []):
        guesses.append("frontend")
    proposal.templates = (*guesses, None) if guesses else (None,)
