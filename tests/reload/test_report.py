"""devenv/reload/report.py: errors shown from the app's first frame on."""

from __future__ import annotations

import sys
from pathlib import Path

from devenv.reload.report import format_error


def test_errors_are_shown_from_the_first_frame_in_the_apps_code(tmp_path):
    (tmp_path / "mod.py").write_text("def f():\n    raise ValueError('boom')\n")
    sys.path.insert(0, str(tmp_path))
    try:
        import mod

        try:
            mod.f()
        except ValueError as exc:
            text = format_error(exc, [str(tmp_path)])
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("mod", None)
    assert Path(__file__).name not in text and "mod.py" in text and "ValueError: boom" in text
