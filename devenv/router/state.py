"""What the router serves: one JSON file per project in ``<state dir>/routes/``, read and written by devenv."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from devenv.files import write_atomic


@dataclass(frozen=True)
class Route:
    """One name and where it goes: ``api.shop.localhost`` -> ``shop-api-1:8000``."""

    service: str
    host: str
    upstream: str


@dataclass(frozen=True)
class ProjectRoutes:
    """One project's routes, the networks the router joined for it and the host ports it went without."""

    project: str
    root: str
    networks: list[str] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    https_port: int = 443
    unbound: dict[str, str] = field(default_factory=dict)  # service -> why its localhost port is not bound

    def url(self, service: str) -> str | None:
        """The service's https URL, or None when it has no route."""
        from devenv.router.settings import https_url

        for route in self.routes:
            if route.service == service:
                return https_url(route.host, self.https_port)
        return None


def routes_dir(state_dir: Path) -> Path:
    """Where the projects' route files are."""
    return state_dir / "routes"


def load(state_dir: Path, project: str) -> ProjectRoutes | None:
    """A project's routes, or None."""
    try:
        raw = json.loads((routes_dir(state_dir) / f"{project}.json").read_text())
    except (OSError, ValueError):
        return None
    return _from_json(raw)


def _from_json(raw: dict[str, object]) -> ProjectRoutes | None:
    try:
        routes = [Route(**item) for item in raw.get("routes", [])]  # type: ignore[attr-defined]
        return ProjectRoutes(
            project=str(raw["project"]),
            root=str(raw["root"]),
            networks=[str(n) for n in raw.get("networks", [])],  # type: ignore[attr-defined]
            routes=routes,
            https_port=int(raw.get("https_port", 443)),  # type: ignore[call-overload]
            unbound={str(k): str(v) for k, v in raw.get("unbound", {}).items()},  # type: ignore[attr-defined]
        )
    except (KeyError, TypeError, ValueError):
        return None


def load_all(state_dir: Path) -> list[ProjectRoutes]:
    """Every project's routes, sorted by project."""
    out = []
    for path in sorted(routes_dir(state_dir).glob("*.json")):
        try:
            found = _from_json(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
        if found is not None:
            out.append(found)
    return out


def save(state_dir: Path, entry: ProjectRoutes) -> None:
    """Write a project's routes (atomically)."""
    text = json.dumps(asdict(entry), indent=2, sort_keys=True) + "\n"
    write_atomic(routes_dir(state_dir) / f"{entry.project}.json", text)


def forget(state_dir: Path, project: str) -> bool:
    """Remove a project's routes; True when it had some."""
    path = routes_dir(state_dir) / f"{project}.json"
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
