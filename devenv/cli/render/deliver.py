"""Text of the delivery events (`devenv history`), shared by the plain and rich renderers."""

from __future__ import annotations

from devenv.cli.render.text import table
from devenv.events import ReleaseHistory

HISTORY_COLUMNS = ("REVISION", "COMMIT", "TAG", "TIME", "STATUS")


def history_lines(event: ReleaseHistory) -> list[str]:
    """The releases as a table, newest last; one line when there are none."""
    if not event.releases:
        return [f"no deploys recorded in namespace {event.namespace} ('{event.env}')"]
    rows: list[tuple[str, ...]] = [HISTORY_COLUMNS]
    rows.extend((str(r.revision), r.commit, r.tag, r.time, r.status) for r in event.releases)
    return table(rows)
