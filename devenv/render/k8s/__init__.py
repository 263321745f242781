"""Kubernetes manifests from devenv.yaml: pure functions from a project to data.

``render.render_k8s`` renders one environment (or the base); ``kustomize`` lays the
result out as a kustomize base with overlays, or as a flat directory.
"""
