"""The tasks this worker knows, by name. Add yours with @task("name").

A task gets the job's payload (a dict) and returns a JSON-serialisable result; an
exception marks the job failed. Jobs can be delivered more than once (after a
crash or restart), so make tasks idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Task = Callable[[dict[str, Any]], Any]
TASKS: dict[str, Task] = {}


class UnknownTask(LookupError):
    """No task of that name."""


def task(name: str) -> Callable[[Task], Task]:
    def register(func: Task) -> Task:
        TASKS[name] = func
        return func

    return register


def run(name: str, payload: dict[str, Any]) -> Any:
    try:
        func = TASKS[name]
    except KeyError:
        raise UnknownTask(f"unknown task '{name}' (known: {', '.join(sorted(TASKS))})") from None
    return func(payload)


@task("word_count")
def word_count(payload: dict[str, Any]) -> dict[str, int]:
    """The example task: count the words of payload['text']."""
    text = str(payload.get("text", ""))
    return {"words": len(text.split()), "characters": len(text)}


@task("echo")
def echo(payload: dict[str, Any]) -> dict[str, Any]:
    return payload
