"""The project as a diagram: services, dependencies and who depends on whom. Pure."""

from __future__ import annotations

from devenv.spec.model import Spec


def _label(spec: Spec, name: str) -> str:
    if name in spec.dependencies:
        dependency = spec.dependencies[name]
        version = dependency.version or ""
        return f"{name}\\n{dependency.kind}{' ' + version if version else ''}"
    service = spec.services[name]
    extra: list[str] = []
    if service.template:
        extra.append(service.template)
    if service.port:
        extra.append(f":{service.published_port() or service.port}" if service.public else f"port {service.port}")
    return name + ("\\n" + " ".join(extra) if extra else "")


def _mermaid_id(name: str) -> str:
    return name.replace("-", "_")


def render_mermaid(spec: Spec) -> str:
    """A Mermaid flowchart (renders on GitHub and in most Markdown viewers)."""
    lines = ["flowchart LR"]
    for name, service in spec.services.items():
        label = _label(spec, name).replace("\\n", "<br/>")
        shape = f'(["{label}"])' if service.public else f'["{label}"]'
        lines.append(f"  {_mermaid_id(name)}{shape}")
    for name in spec.dependencies:
        label = _label(spec, name).replace("\\n", "<br/>")
        lines.append(f'  {_mermaid_id(name)}[("{label}")]')
    lines.extend(
        f"  {_mermaid_id(name)} --> {_mermaid_id(target)}"
        for name, service in spec.services.items()
        for target in service.depends_on
    )
    public = [_mermaid_id(n) for n, s in spec.services.items() if s.public]
    if public:
        lines.append("  classDef public stroke-width:3px")
        lines.append(f"  class {','.join(public)} public")
    return "\n".join(lines) + "\n"


def render_dot(spec: Spec) -> str:
    """A Graphviz digraph."""
    lines = [f'digraph "{spec.name}" {{', "  rankdir=LR;", "  node [fontname=Helvetica];"]
    for name, service in spec.services.items():
        style = ', penwidth=2' if service.public else ""
        lines.append(f'  "{name}" [shape=box, label="{_label(spec, name)}"{style}];')
    lines.extend(f'  "{name}" [shape=cylinder, label="{_label(spec, name)}"];' for name in spec.dependencies)
    lines.extend(
        f'  "{name}" -> "{target}";' for name, service in spec.services.items() for target in service.depends_on
    )
    lines.append("}")
    return "\n".join(lines) + "\n"
