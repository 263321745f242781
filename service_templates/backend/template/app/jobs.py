"""Background jobs: put them on the queue a worker consumes, read their outcome.

A job is JSON: {"id", "task", "payload", "enqueued_at"}. It goes to RabbitMQ when
AMQP_URL is set (durable queue JOB_QUEUE, default "jobs"), else to Redis when
REDIS_URL is set (list JOB_QUEUE). The W3C trace context of the request travels with
it (RabbitMQ: the message's AMQP headers; Redis: the job's field "trace"), so the
worker's spans join the request's trace. The worker records each outcome in PostgreSQL
(table job_results) when it has a database, else in Redis (hash job:<id>).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from app import telemetry
from app.settings import Settings


class NoQueue(RuntimeError):
    """Neither AMQP_URL nor REDIS_URL is set: there is no queue to put jobs on."""


def make_job(task: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "task": task,
        "payload": payload,
        "enqueued_at": datetime.now(UTC).isoformat(),
    }


def queue_kind(settings: Settings) -> str | None:
    if settings.amqp_url:
        return "rabbitmq"
    if settings.redis_url:
        return "redis"
    return None


def enqueue(settings: Settings, job: dict[str, Any]) -> None:
    kind = queue_kind(settings)
    if kind == "rabbitmq":
        import pika

        body = json.dumps(job)
        if settings.redis_url:  # its status is readable while it waits
            _mark_queued(settings, job)

        params = pika.URLParameters(settings.amqp_url)
        params.socket_timeout = 5
        connection = pika.BlockingConnection(params)
        try:
            channel = connection.channel()
            telemetry.instrument_channel(channel)
            channel.queue_declare(queue=settings.job_queue, durable=True)
            channel.basic_publish(
                exchange="",
                routing_key=settings.job_queue,
                body=body.encode(),
                properties=pika.BasicProperties(
                    content_type="application/json", delivery_mode=2, headers=telemetry.inject({})
                ),
            )
        finally:
            connection.close()
    elif kind == "redis":
        import redis

        body = json.dumps({**job, "trace": telemetry.inject({})})
        client = redis.Redis.from_url(settings.redis_url, socket_timeout=5, decode_responses=True)
        with client.pipeline() as pipe:
            pipe.hset(f"job:{job['id']}", mapping={"id": job["id"], "task": job["task"], "status": "queued"})
            pipe.expire(f"job:{job['id']}", 86400)
            pipe.lpush(settings.job_queue, body)
            pipe.execute()
    else:
        raise NoQueue("no queue configured: depend on a redis or rabbitmq dependency (REDIS_URL or AMQP_URL)")


def _mark_queued(settings: Settings, job: dict[str, Any]) -> None:
    import redis

    client = redis.Redis.from_url(settings.redis_url, socket_timeout=5, decode_responses=True)
    with client.pipeline() as pipe:
        pipe.hset(f"job:{job['id']}", mapping={"id": job["id"], "task": job["task"], "status": "queued"})
        pipe.expire(f"job:{job['id']}", 86400)
        pipe.execute()


def redis_result(settings: Settings, job_id: str) -> dict[str, Any] | None:
    """The job's hash in Redis, if the worker (or enqueue) wrote one."""
    if not settings.redis_url:
        return None
    import redis

    client = redis.Redis.from_url(settings.redis_url, socket_timeout=5, decode_responses=True)
    data = client.hgetall(f"job:{job_id}")
    if not data:
        return None
    if data.get("result"):
        data["result"] = json.loads(data["result"])
    return data


def ping_queue(settings: Settings) -> None:
    kind = queue_kind(settings)
    if kind == "rabbitmq":
        import pika

        params = pika.URLParameters(settings.amqp_url)
        params.socket_timeout = 2
        pika.BlockingConnection(params).close()
    elif kind == "redis":
        import redis

        redis.Redis.from_url(settings.redis_url, socket_timeout=2).ping()
