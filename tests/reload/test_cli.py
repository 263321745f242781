"""devenv/reload/cli.py: the command line."""

from __future__ import annotations

import signal

from devenv.reload.cli import parse_args


def test_arguments():
    opts = parse_args(["serve", "app.main:app", "--port", "9000", "--log-config", "logging.json", "--no-access-log"])
    assert (opts.app, opts.port, opts.host, opts.log_config, opts.no_access_log) == (
        "app.main:app", 9000, "0.0.0.0", "logging.json", True,
    )  # fmt: skip
    opts = parse_args(["run", "--stop-timeout", "5", "-m", "worker", "--flag"])
    assert (opts.module, opts.args, opts.stop_timeout, opts.stop_signal) == ("worker", ["--flag"], 5.0, signal.SIGTERM)
    opts = parse_args(["run", "job.py", "a"])
    assert (opts.module, opts.args) == (None, ["job.py", "a"])
