"""Valkey: the official ``valkey/valkey`` image, Redis-compatible; Redis's programs, with valkey-cli.

Valkey speaks the Redis protocol, so it is a :class:`~devenv.kinds.redis.Redis` in all but
image and client: the same fixtures (``*.redis`` and ``*.json``, recorded in the hash
``devenv:fixtures``), the same RDB snapshots, the same ``redis://`` URL. Its programs are
Redis's files (``programs_from``), run with ``valkey-cli`` (``DEVENV_REDIS_CLI``). A
service that depends on it gets ``REDIS_URL``: the variable Redis clients (which are
Valkey's clients too) read.
"""

from __future__ import annotations

from devenv.kinds.redis import Redis


class Valkey(Redis):
    """Valkey."""

    name = "valkey"
    rank = 35
    summary = f"Valkey, Redis-compatible (REDIS_URL); fixtures: {Redis.fixtures.description}"
    repository = "valkey/valkey"
    default_version = "8"
    programs_from = Redis.name
    cli = "valkey-cli"


KIND = Valkey()
