"""`devenv down`: stop and remove the project's containers; volumes (data) stay unless asked."""

from __future__ import annotations

from collections.abc import Iterator

from devenv.generate import generate
from devenv.project import Project
from devenv.runtime.compose_cli import ComposeCLI
from devenv.runtime.engine import Engine
from devenv.runtime.events import Event, Step


def down(project: Project, *, volumes: bool = False, engine: Engine | None = None) -> Iterator[Event]:
    """Remove containers and networks; with ``volumes``, named volumes (data) too."""
    generated = generate(project)
    engine = engine or Engine.connect()
    compose = ComposeCLI.locate(project.root, project.compose_path)
    before = engine.containers(project.name)
    from devenv.router.runtime import detach, settings_for

    routing = settings_for(project)
    if routing is not None:  # leave the project's networks first, so Compose can remove them
        yield from detach(project, routing, engine)
    args = ["down", "--remove-orphans", "--timeout", "10"]
    if any(entry.get("profiles") for entry in generated.data.get("services", {}).values()):
        args = ["--profile", "*", *args]  # services of every profile, started or not, go too
    if volumes:
        args.append("--volumes")
    compose.run(*args)
    yield Step(f"removed {len(before)} container(s)" + (" and the project's volumes" if volumes else "; volumes kept"))
