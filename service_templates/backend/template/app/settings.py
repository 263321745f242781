"""Configuration from the environment.

devenv gives each service the connection URLs of the dependencies it depends on:
DATABASE_URL (PostgreSQL), REDIS_URL (Redis), AMQP_URL (RabbitMQ).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    redis_url: str | None
    amqp_url: str | None
    job_queue: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            redis_url=os.environ.get("REDIS_URL") or None,
            amqp_url=os.environ.get("AMQP_URL") or None,
            job_queue=os.environ.get("JOB_QUEUE", "jobs"),
        )
