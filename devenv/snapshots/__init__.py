"""Snapshots: save the data of a project's dependencies under a name, restore it in a second.

- :mod:`devenv.snapshots.targets`: which dependencies a command works on, which services
  use them, the rows of `devenv snapshot list` (pure);
- :mod:`devenv.snapshots.runtime`: `devenv snapshot save|restore|list|rm` on the engine.

How a kind saves and restores (PostgreSQL: template databases; Redis: RDB files;
RabbitMQ: definitions), and the programs it runs in its container, live in the kind's
home, ``devenv/kinds/<kind>/`` (``snapshot_*`` methods, ``snapshot/`` programs); what all
kinds share is :mod:`devenv.kinds.snapshots`. See docs/snapshots.md.
"""
