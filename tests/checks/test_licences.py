"""Licence expressions and names against the allowlist (devenv.checks.licences)."""

from __future__ import annotations

import pytest

from devenv.checks.licences import accepted, judge_licences, normalise
from devenv.spec.checks_model import DEFAULT_LICENCES, LicencePolicy

ALLOW = set(DEFAULT_LICENCES)


@pytest.mark.parametrize(
    ("expression", "ok"),
    [
        ("MIT", True),
        ("MIT License", True),
        ("Apache Software License", True),
        ("Mozilla Public License 2.0 (MPL 2.0)", True),
        ("(MIT OR CC0-1.0)", True),
        ("(MIT AND CC-BY-3.0)", True),
        ("MIT AND GPL-3.0-only", False),
        ("GPL-3.0-only OR MIT", True),
        ("MIT License; GNU General Public License v3 (GPLv3)", True),  # classifiers: any applies
        ("GNU General Public License v3 (GPLv3)", False),
        ("AGPL-3.0-only", False),
        ("UNKNOWN", False),
        ("UNLICENSED", False),
        ("MIT*", True),  # license-checker's guess from a licence file
    ],
)
def test_accepted(expression, ok):
    assert accepted(expression, ALLOW) is ok


def test_normalise():
    assert normalise("BSD License") == "BSD-3-Clause"
    assert normalise(" Python Software Foundation License ") == "PSF-2.0"
    assert normalise("EUPL-1.2") == "EUPL-1.2"
    assert normalise("3-Clause BSD License") == "BSD-3-Clause"  # protobuf 7's License field, as pip-licenses prints it
    assert normalise("Simplified BSD License") == "BSD-2-Clause"


def test_exceptions_match_normalised_names_and_keep_the_reason():
    policy = LicencePolicy(allow=["MIT"], exceptions={"Psycopg_Binary": "LGPL, used unchanged"})
    verdicts = judge_licences([("psycopg-binary", "3.2", "LGPL-3.0-only"), ("x", "1", "GPL-2.0-only")], policy)
    assert [v.accepted for v in verdicts] == [True, False]
    assert verdicts[0].line() == "psycopg-binary 3.2: LGPL-3.0-only (exception: LGPL, used unchanged)"
    assert verdicts[1].line() == "x 1: GPL-2.0-only is not in the allowlist"
