"""`devenv up --profile` and `devenv up SERVICE...` with profiles: what starts, and what status calls off. Pure."""

from __future__ import annotations

import pytest

from devenv.errors import UsageError
from devenv.render.compose import render_compose
from devenv.runtime.engine import ContainerState
from devenv.runtime.plan import desired_from_compose, plan_up, wanted
from devenv.runtime.status import status_rows
from devenv.spec.loader import load_project

SPEC = """\
name: shop
observability: false  # the dashboard's place in the plan: test_the_dashboard_starts_with_the_default_set
services:
  api:
    image: ghcr.io/acme/api:1
    depends_on: [db]
  admin:
    image: adminer:4
    profiles: [tools]
    depends_on: [db, mail]
  mail:
    image: mailhog/mailhog:v1.0.1
    profiles: [mail]
  debug:
    image: busybox:1.36
    profiles: [debug, tools]
dependencies:
  db: {kind: postgres}
"""


@pytest.fixture
def desired(make_project):
    project = load_project(make_project(SPEC), environ={})
    return desired_from_compose(render_compose(project).data)


def test_without_profiles_the_services_with_profiles_stay_off(desired):
    assert wanted(desired, [], []) == ["db", "api"]
    assert [name for name in desired if name not in wanted(desired, [], [])] == ["admin", "mail", "debug"]


def test_a_profile_adds_its_services_and_what_they_depend_on_whatever_their_profiles(desired):
    assert wanted(desired, [], ["tools"]) == ["db", "api", "mail", "admin", "debug"]
    assert wanted(desired, [], ["debug"]) == ["db", "api", "debug"]
    assert wanted(desired, [], ["mail", "debug"]) == ["db", "api", "mail", "debug"]


def test_the_dashboard_starts_with_the_default_set_and_with_profiles(make_project):
    project = load_project(make_project(SPEC.replace("observability: false", "observability: true")), environ={})
    desired = desired_from_compose(render_compose(project).data)
    assert wanted(desired, [], []) == ["db", "api", "devenv-dashboard"]
    assert "devenv-dashboard" in wanted(desired, [], ["tools"])


def test_named_services_start_alone_with_what_they_depend_on(desired):
    assert wanted(desired, ["admin"], []) == ["db", "mail", "admin"]
    assert wanted(desired, ["api"], ["tools"]) == ["db", "api"]


def test_an_unknown_profile_is_a_usage_error(desired):
    with pytest.raises(UsageError, match="--profile tool: no service has this profile") as caught:
        wanted(desired, [], ["tool"])
    assert caught.value.hint == "profiles in this project: debug, mail, tools"


def test_the_plan_acts_only_on_what_is_wanted(desired):
    plan = plan_up(desired, [], set(), profiles=["mail"])
    assert plan.services == ["db", "api", "mail"]


def test_status_shows_services_left_out_by_profiles_as_off(desired):
    running = [
        ContainerState(id=name, name=name, service=name, state="running", health="healthy" if name == "db" else None,
                       labels={}, exit_code=None)
        for name in ("db", "api", "debug")
    ]  # fmt: skip
    rows = {row.service: row for row in status_rows(desired, running)}
    assert rows["admin"].state == "off" and rows["admin"].profiles == ["tools"] and not rows["admin"].ready
    assert rows["debug"].state == "running" and rows["debug"].profiles == ["debug", "tools"]
    assert rows["api"].state == "running" and rows["api"].profiles == []
    without = {row.service: row.state for row in status_rows(desired, [])}
    assert without["api"] == "missing"  # no profile: it should be there
