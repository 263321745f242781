"""JSON lines: one object per event, ``{"event": <class name>, <fields>...}``."""

from __future__ import annotations

import json

from devenv.events import Event


class JsonRenderer:
    """Every event the same way: :meth:`Event.as_dict` as one line of JSON on stdout."""

    def render(self, event: Event) -> None:
        """Print the event as one JSON object."""
        print(json.dumps(event.as_dict(), default=str), flush=True)

    def close(self) -> None:
        """Nothing to clean up."""
