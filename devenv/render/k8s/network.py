"""NetworkPolicies: deny by default, then allow exactly what the spec says.

Every pod of the project may resolve names (DNS). Public services with an Ingress
accept traffic on their port from anywhere (the ingress controller). Each service
reaches what it depends on, on that port only; a dependency an environment marks
external is reached on its port outside the cluster. Nothing else is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devenv.kinds import kind_of
from devenv.render.k8s.meta import (
    Target,
    dependency_component,
    dependency_version,
    labels,
    metadata,
    project_selector,
    selector,
)
from devenv.render.k8s.workloads import component_of

ANYWHERE = "0.0.0.0/0"


@dataclass
class _Workload:
    component: str
    version: str | None = None  # label; None: the export tag
    ingress_from: list[str] = field(default_factory=list)  # workloads allowed in
    public: bool = False
    port: int | None = None
    egress: list[tuple[str | None, int]] = field(default_factory=list)  # (workload or None for outside, port)


def render_project_policies(target: Target) -> list[dict[str, Any]]:
    """Default deny for every pod of the project, and DNS for all of them."""
    deny = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(target, f"{target.name}-default-deny", labels(target, target.name, "network")),
        "spec": {"podSelector": {"matchLabels": project_selector(target)}, "policyTypes": ["Ingress", "Egress"]},
    }
    dns = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(target, f"{target.name}-allow-dns", labels(target, target.name, "network")),
        "spec": {
            "podSelector": {"matchLabels": project_selector(target)},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                }
            ],
        },
    }
    return [deny, dns]


def render_workload_policies(target: Target, fixture_jobs: list[str]) -> dict[str, dict[str, Any]]:
    """One NetworkPolicy per workload that talks to anything, keyed by workload name."""
    spec = target.project.spec
    graph: dict[str, _Workload] = {}
    for name, dependency in spec.dependencies.items():
        if target.in_cluster(name):
            graph[name] = _Workload(
                dependency_component(dependency), dependency_version(dependency), port=kind_of(dependency).port
            )
    for name, service in spec.services.items():
        graph[name] = _Workload(
            component_of(service), port=service.port, public=service.public and bool(target.env.domain)
        )

    def connect(source: str, other: str) -> None:
        if other in spec.dependencies:
            port = kind_of(spec.dependencies[other]).port
            if target.in_cluster(other):
                graph[source].egress.append((other, port))
                graph[other].ingress_from.append(source)
            else:
                graph[source].egress.append((None, port))
        else:
            service_port = spec.services[other].port
            if service_port is not None:
                graph[source].egress.append((other, service_port))
                graph[other].ingress_from.append(source)

    for name, service in spec.services.items():
        for other in service.depends_on:
            connect(name, other)
    for name in fixture_jobs:
        job = f"{name}-fixtures"
        graph[job] = _Workload("fixtures")
        connect(job, name)

    policies: dict[str, dict[str, Any]] = {}
    for name, node in graph.items():
        policy = _policy(target, name, node)
        if policy is not None:
            policies[name] = policy
    return policies


def _policy(target: Target, name: str, node: _Workload) -> dict[str, Any] | None:
    ingress: list[dict[str, Any]] = []
    if node.port is not None and node.public:
        ingress.append({"ports": [{"protocol": "TCP", "port": node.port}]})
    if node.port is not None and node.ingress_from:
        ingress.append(
            {
                "from": [
                    {"podSelector": {"matchLabels": selector(target, peer)}} for peer in sorted(node.ingress_from)
                ],
                "ports": [{"protocol": "TCP", "port": node.port}],
            }
        )
    egress: list[dict[str, Any]] = []
    for peer, port in node.egress:
        to = (
            {"ipBlock": {"cidr": ANYWHERE}}
            if peer is None
            else {"podSelector": {"matchLabels": selector(target, peer)}}
        )
        egress.append({"to": [to], "ports": [{"protocol": "TCP", "port": port}]})
    if not ingress and not egress:
        return None
    spec: dict[str, Any] = {
        "podSelector": {"matchLabels": selector(target, name)},
        "policyTypes": (["Ingress"] if ingress else []) + (["Egress"] if egress else []),
    }
    if ingress:
        spec["ingress"] = ingress
    if egress:
        spec["egress"] = egress
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(target, name, labels(target, name, node.component, node.version)),
        "spec": spec,
    }
