"""Scaffolding: projects and services from Copier templates (`devenv init`, `add`, `update`)
and running each service's tests in its dev image (`devenv test`).

- :mod:`devenv.scaffold.templates`: where templates live, their content-hash versions, snapshots;
- :mod:`devenv.scaffold.render`: Copier, non-interactive, and the answers file;
- :mod:`devenv.scaffold.specedit`: round-trip edits of devenv.yaml (comments and order kept);
- :mod:`devenv.scaffold.init`, :mod:`~devenv.scaffold.add`, :mod:`~devenv.scaffold.update`,
  :mod:`~devenv.scaffold.testrun`: the commands' cores (no printing; results and events).

See docs/templates.md.
"""
