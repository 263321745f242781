"""Render the proposal, have Compose read it back, keep as raw compose keys whatever does not come out the same.

Each round writes devenv.yaml's text, loads it as ``devenv generate`` would (spec model and
checks, no machine settings), renders it, and runs ``docker compose config`` on the result
with the project's directory as Compose's. Against the original project:

- a key devenv does not render, or renders otherwise, becomes a raw key with the original's
  value; for a mapping devenv renders too (``environment``, ``build``, ``healthcheck``,
  ``depends_on``, ``labels``), only its entries that differ, since raw mappings merge;
- a key only devenv renders is kept when devenv may add it (connection URLs and other
  variables, health checks, its labels, a dependency's data volume, the tag of a local
  build) and removed otherwise (``init: null``, a dependency kind's own command);
- environment variables go to ``env`` (the spec's field) when the service set them itself
  and devenv does not render the same; those an ``env_file`` gives stay in that file. A
  dependency keeps exactly the original's variables: the kind's development credentials
  (``POSTGRES_USER``...) are left out where the original leaves them to the image, since
  they would change what the image does (another superuser, authentication turned on).

The last round is the self-check the report shows: what Compose makes of the file that is
written, against what it made of the original.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devenv.errors import DevenvError, SpecError
from devenv.importer.clean import literal_value, tidy_value, unescape
from devenv.importer.compare import Comparison, compare_configs, compare_service, is_program_mount, renamed_refs
from devenv.importer.convert import Proposal, Proposals
from devenv.importer.extras import FIELDS
from devenv.importer.sources import ComposeInputError, ComposeReader, optional_env_files
from devenv.importer.specfile import spec_text
from devenv.project import COMPOSE_FILE, Project
from devenv.render.compose import Rendered, render_compose
from devenv.render.develop import TEMPLATES, reload_command
from devenv.spec.loader import SPEC_FILE, parse_spec, project_of
from devenv.spec.model import Service

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAPPINGS_MERGED = ("environment", "labels", "build", "healthcheck", "depends_on")
PRUNABLE = ("command", "target", "path", "develop.mount", "develop.rebuild", "develop.reloader")
# a raw list or value replaces what these native fields render: kept raw whole, the native field goes
NATIVE_OF = {"ports": "ports", "expose": "ports", "volumes": "volumes", "secrets": "secrets", "env_file": "env_file",
             "entrypoint": "entrypoint", "user": "user", "working_dir": "working_dir", "cap_add": "cap_add",
             "cap_drop": "cap_drop", "profiles": "profiles"}  # fmt: skip


@dataclass
class Round:
    """One rendering of a proposal, and what Compose made of it."""

    data: dict[str, Any]
    text: str
    project: Project
    rendered: Rendered
    normalised: dict[str, Any]


@dataclass
class Outcome:
    """The spec to write, and the self-check of it."""

    text: str
    project: Project
    rendered: Rendered
    normalised: dict[str, Any]
    comparison: Comparison
    templates: dict[str, str | None] = field(default_factory=dict)


def header(sources: list[str]) -> str:
    """The comment at the top of the imported devenv.yaml."""
    return (
        f"Imported from {', '.join(sources)} by `devenv import` (docs/import.md).\n"
        "Keys under `compose:` are raw Compose keys devenv merges last; they are not carried to Kubernetes."
    )


class Refiner:
    """The rounds of one import."""

    def __init__(
        self,
        proposals: Proposals,
        original: dict[str, Any],
        uninterpolated: dict[str, Any] | None,
        reader: ComposeReader,
        root: Path,
        sources: list[str],
    ) -> None:
        self.proposals = proposals
        self.original = original
        self.uninterpolated = uninterpolated or {}
        self.reader = reader
        self.root = root
        self.header = header(sources)
        optional = optional_env_files(uninterpolated) if uninterpolated else {}
        self.optional = {proposals.renamed.get(name, name): entries for name, entries in optional.items()}
        self.long = False  # write raw values as Compose printed them (no short syntax), and whole

    # --- one round ----------------------------------------------------------------------------

    def load(self, data: dict[str, Any]) -> tuple[str, Project, Rendered]:
        """devenv.yaml's text for ``data``, loaded as `devenv generate` loads it (no machine settings), rendered."""
        text = spec_text(data, self.header)
        spec, positions = parse_spec(text, self.root / SPEC_FILE)
        project = project_of(self.root, spec, positions, environ={})
        return text, project, render_compose(project)

    def round(self, data: dict[str, Any]) -> Round:
        """Render ``data`` and have Compose read it, with the project's directory as its own."""
        text, project, rendered = self.load(data)
        with tempfile.TemporaryDirectory(prefix="devenv-import-") as tmp:
            path = Path(tmp) / COMPOSE_FILE
            path.write_text(rendered.text(), encoding="utf-8")
            normalised = self.reader.config(
                (path,), project_dir=self.root, optional_env_files=self.optional, shown="the generated compose file"
            )
        return Round(data, text, project, rendered, normalised)

    # --- what stays raw -------------------------------------------------------------------------

    def service_of(self, data: dict[str, Any], proposal: Proposal) -> dict[str, Any]:
        """The proposal's entry in ``data``."""
        section: dict[str, Any] = data[proposal.section]
        entry: dict[str, Any] = section[proposal.name]
        return entry

    def raw_for(self, proposal: Proposal, done: Round) -> int:
        """Set the proposal's raw keys and env from one round of its native fields; the number of raw keys."""
        theirs = renamed_refs(self.original["services"][proposal.original], self.proposals.renamed)
        mine = done.normalised["services"][proposal.name]
        rendered = done.rendered.data["services"][proposal.name]
        old_names = (proposal.original,) if proposal.original != proposal.name else ()
        raw: dict[str, Any] = dict(proposal.fixed)
        where = self.proposals.where
        for key in compare_service(theirs, mine, old_names):
            name, status = key.key, key.status
            if name in ("environment", *proposal.fixed) or key.same:
                continue
            if name == "labels":
                user = {k: v for k, v in (theirs.get("labels") or {}).items() if not str(k).startswith("dev.devenv.")}
                changed = {k: v for k, v in user.items() if (mine.get("labels") or {}).get(k) != v}
                if changed:
                    raw["labels"] = unescape(changed)
            elif status == "added":  # what Compose adds to devenv's rendering by itself is no addition of devenv's
                if name in rendered and not _may_add(name, proposal, key.generated):
                    raw[name] = None
            elif status == "differs" and name in MAPPINGS_MERGED and isinstance(rendered.get(name), dict) and (
                isinstance(theirs.get(name), dict) and not self.long
            ):
                raw[name] = tidy_value(name, {k: theirs[name][k] for k in key.changed if k in theirs[name]}, where)
            else:
                raw[name] = (literal_value if self.long else tidy_value)(name, theirs[name], where)
        programs = [item for item in rendered.get("volumes") or [] if is_program_mount(item)]
        if programs and isinstance(raw.get("volumes"), list):  # raw volumes replace devenv's: keep its programs
            raw["volumes"] = [*raw["volumes"], *programs]
        if old_names and not theirs.get("network_mode"):  # a network mode has no aliases
            raw["networks"] = _with_alias(theirs.get("networks"), proposal.original)
        env, raw_env = self.environment(proposal, theirs, rendered)
        if proposal.became == "dependency":
            raw_env = {**env, **raw_env}
        else:
            proposal.entry["env"] = env
        if raw_env:
            raw["environment"] = raw_env
        proposal.entry["compose"] = raw
        _drop_replaced(proposal.entry, raw)
        return len(set(raw) - set(proposal.fixed))

    def fix(self, proposal: Proposal, keys: frozenset[str]) -> None:
        """Keys that still differ after a round: the original's whole value, in Compose's long form."""
        theirs = renamed_refs(self.original["services"][proposal.original], self.proposals.renamed)
        raw = proposal.raw
        for key in sorted(keys):
            if key == "labels":
                labels = theirs.get(key) or {}
                raw[key] = {k: unescape(v) for k, v in labels.items() if not k.startswith("dev.devenv.")}
            elif theirs.get(key) is None:
                raw[key] = None
            else:
                raw[key] = literal_value(key, theirs[key], self.proposals.where)
        _drop_replaced(proposal.entry, raw)

    def environment(
        self, proposal: Proposal, theirs: dict[str, Any], rendered: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """(variables for ``env``, variables that must stay raw: passed through from the shell, odd names)."""
        original = theirs.get("environment") or {}
        raw_entry = (self.uninterpolated.get("services") or {}).get(proposal.original)
        listed = raw_entry.get("environment") if isinstance(raw_entry, dict) else None
        # the variables the service sets itself (the rest come from its env_file)
        inline = set(original) if not self.uninterpolated else _names(listed)
        devenv = rendered.get("environment") or {}
        wanted = {
            k: v for k, v in original.items() if (k in inline or k in devenv) and (k not in devenv or devenv[k] != v)
        }
        env = {k: unescape(v) for k, v in wanted.items() if isinstance(v, str) and ENV_NAME.match(k)}
        raw = {k: unescape(v) for k, v in wanted.items() if k not in env}
        if proposal.became == "dependency":  # the kind's development credentials would change what the image does
            raw |= {k: None for k in devenv if k not in original}
        return env, raw

    # --- the rounds -------------------------------------------------------------------------------

    def run(self) -> Outcome:
        """Propose, render, keep the rest raw, check; return what to write and its self-check.

        Should Compose refuse a rendering, the import starts over with every raw value as Compose
        printed it, whole (no short syntax, no merged mappings); should it refuse that too, or should
        the spec refuse a service field, it starts over once more with the service fields as raw keys
        (devenv.importer.extras); only then does the import fail (exit 1), with the message.
        """
        entries = {p.name: _copy(p.entry) for p in self.proposals.services}
        first = ""
        last = DevenvError("devenv import found nothing to write")
        for attempt in ("native", "long", "no service fields"):
            if attempt != "native":
                self.long = True
                for proposal in self.proposals.services:
                    proposal.entry = _copy(entries[proposal.name])
            if attempt == "no service fields":  # the spec's service fields go back to raw keys
                self._without_service_fields()
            try:
                return self._run()
            except ComposeInputError as exc:
                first = first or exc.message
                last = DevenvError(
                    f"Compose does not read what devenv import made of the project: {exc.message}",
                    hint="this is a bug in devenv import; please report it with the compose file",
                    details=f"first attempt: {first}",
                )
            except SpecError as exc:
                last = DevenvError(
                    f"devenv import made a devenv.yaml that does not load: {exc.message}",
                    hint="this is a bug in devenv import; please report it with the compose file",
                )
        raise last

    def _without_service_fields(self) -> None:
        """Every proposal without the service fields (devenv.importer.extras); the top level declares
        again what they declared."""
        for proposal in self.proposals.services:
            for key in FIELDS:
                proposal.entry.pop(key, None)
        for section, declared in self.proposals.native_top.items():
            self.proposals.top[section] = {**self.proposals.top.get(section, {}), **declared}

    def _run(self) -> Outcome:
        proposals = self.proposals
        tries = max((len(p.templates) for p in proposals.services), default=1)
        best: dict[str, tuple[int, str | None, dict[str, Any]]] = {}
        for index in range(tries):
            templates = {p.name: p.templates[min(index, len(p.templates) - 1)] for p in proposals.services}
            base = {p.name: _copy(p.entry) for p in proposals.services}
            for proposal in proposals.services:
                proposal.entry = _for_template(proposal.entry, templates[proposal.name])
            done = self.round(proposals.spec(templates))
            for proposal in proposals.services:
                if proposal.became == "raw":
                    continue
                count = self.raw_for(proposal, done)
                if proposal.name not in best or count < best[proposal.name][0]:
                    best[proposal.name] = (count, templates[proposal.name], _copy(proposal.entry))
                proposal.entry = base[proposal.name]
        chosen: dict[str, str | None] = {}
        for proposal in proposals.services:
            if proposal.name in best:
                _, chosen[proposal.name], proposal.entry = best[proposal.name]
        self.prune(chosen)
        done = self.round(proposals.spec(chosen))
        comparison = compare_configs(self.original, done.normalised, renamed=proposals.renamed)
        for _ in range(2):
            native = {p.name for p in proposals.services if p.became != "raw"}
            wrong = {
                s.generated_name: frozenset(k.key for k in s.differences())
                for s in comparison.services
                if s.generated_name in native and s.differences()
            }
            if not wrong:
                break
            for name, keys in wrong.items():
                self.fix(proposals.by_name(name), keys)
            done = self.round(proposals.spec(chosen))
            comparison = compare_configs(self.original, done.normalised, renamed=proposals.renamed)
        return Outcome(done.text, done.project, done.rendered, done.normalised, comparison, chosen)

    def prune(self, templates: dict[str, str | None]) -> None:
        """Leave out what a service devenv made gets anyway (a template's reload command, /app, its rebuild files)."""
        for proposal in self.proposals.services:
            if "develop" not in proposal.entry:
                continue
            for dotted in PRUNABLE:
                before = self.load(self.proposals.spec(templates))[2].data["services"][proposal.name]
                saved = _copy(proposal.entry)
                _remove(proposal.entry, dotted)
                try:
                    after = self.load(self.proposals.spec(templates))[2].data["services"][proposal.name]
                except DevenvError:  # a field the spec needs after all: keep it
                    after = None
                if after != before:
                    proposal.entry = saved


def _drop_replaced(entry: dict[str, Any], raw: dict[str, Any]) -> None:
    """Leave out the native fields whose compose key is kept raw whole (a raw list replaces theirs)."""
    for key, value in raw.items():
        if value is not None and key in NATIVE_OF and (key == "profiles" or "kind" not in entry):
            entry.pop(NATIVE_OF[key], None)
    if isinstance(raw.get("healthcheck"), dict) and "test" in raw["healthcheck"]:
        entry.pop("health_command", None)
        entry.pop("health_timing", None)


def _names(environment: Any) -> set[str]:
    """The variable names of an ``environment`` in either form (``{A: 1}``, ``[A=1, B]``)."""
    if isinstance(environment, dict):
        return {str(k) for k in environment}
    if isinstance(environment, list):
        return {str(item).split("=", 1)[0] for item in environment}
    return set()


def _for_template(entry: dict[str, Any], template: str | None) -> dict[str, Any]:
    """A service devenv made, without what ``template`` gives by itself: its code mount, rebuild files, command."""
    if template is None or "develop" not in entry:
        return entry
    out: dict[str, Any] = _copy(entry)
    defaults = TEMPLATES[template]
    develop = out["develop"]
    if develop.get("mount") == defaults.code_dir:
        develop.pop("mount")
    if tuple(develop.get("rebuild") or ()) == defaults.rebuild:
        develop.pop("rebuild", None)
    develop.pop("reloader", None)
    fields = {k: v for k, v in out.items() if k in Service.model_fields and k not in ("command", "compose")}
    try:
        service = Service.model_validate({**fields, "template": template})
    except ValueError:
        return entry
    if out.get("command") == reload_command(service):
        out.pop("command", None)
    return out


def _may_add(key: str, proposal: Proposal, value: Any) -> bool:
    """What devenv may add to a service that did not have it."""
    if key in ("labels", "environment", "healthcheck"):
        return True
    if key == "image":
        return proposal.became == "build"
    if key == "volumes":  # a dependency's data, devenv's programs (health probes)
        return proposal.became == "dependency" or all(is_program_mount(item) for item in value or [])
    return False


def _with_alias(networks: Any, alias: str) -> dict[str, Any]:
    """The service's networks, each with ``alias`` (the old name) among its aliases."""
    out: dict[str, Any] = {}
    for name, entry in (networks or {"default": None}).items():
        item = dict(entry) if isinstance(entry, dict) else {}
        aliases = [a for a in item.get("aliases") or [] if a != alias]
        item["aliases"] = [*aliases, alias]
        out[name] = unescape(item)
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _remove(entry: dict[str, Any], dotted: str) -> None:
    head, _, tail = dotted.partition(".")
    if not tail:
        entry.pop(head, None)
        return
    inner = entry.get(head)
    if isinstance(inner, dict):
        inner.pop(tail, None)
