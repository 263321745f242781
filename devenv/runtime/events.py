"""The runtime's events; they live in :mod:`devenv.events` with every other event, and are re-exported here."""

from __future__ import annotations

from devenv.events import (
    Event,
    Output,
    PlanReady,
    ServiceChanged,
    ServiceStatus,
    StatusReport,
    Step,
    Warning,
)

__all__ = ["Event", "Output", "PlanReady", "ServiceChanged", "ServiceStatus", "StatusReport", "Step", "Warning"]
