"""Tests log at INFO through the service's JSON formatter, so every log call runs."""

from worker import logs

logs.setup()
