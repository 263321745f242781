"""Turn pydantic validation errors into one-line, located :class:`SpecError`s."""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from devenv.errors import SpecError
from devenv.spec.yamlsource import PathKey, Positions


def dotted(loc: PathKey) -> str:
    """``("services", "api", "depends_on", 0)`` -> ``services.api.depends_on[0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def did_you_mean(word: object, choices: typing.Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelt word, or None."""
    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _unwrap(annotation: Any) -> Any:
    """Strip Optional / Annotated / unions down to the model or container type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


def model_at(root: type[BaseModel], loc: PathKey) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at ``loc`` (or None)."""
    current: Any = root
    expect_key = False
    for part in loc:
        current = _unwrap(current)
        if expect_key:
            args = typing.get_args(current)
            current = args[1] if len(args) == 2 else None
            expect_key = False
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
            if typing.get_origin(_unwrap(current)) is dict:
                expect_key = True
            continue
        return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"a {type(value).__name__}"


_EXPECTED = {
    "string_type": "a text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "float_type": "a number",
}


def spec_error_from_validation(
    exc: ValidationError, path: Path, positions: Positions, root: type[BaseModel]
) -> SpecError:
    """The first error (in file order) of a pydantic ValidationError, located."""
    located = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        is_key = bool(loc) and loc[-1] == "[key]"
        if is_key:
            loc = loc[:-1]
        kind = err["type"]
        if kind == "extra_forbidden" or is_key:
            line, col = positions.of_key(loc)
        elif kind == "missing":
            line, col = positions.of_key(loc[:-1]) if loc[:-1] else (1, 1)
        else:
            line, col = positions.of_value(loc)
        located.append(((line, col), loc, err, is_key))
    located.sort(key=lambda item: item[0])
    (line, col), loc, err, is_key = located[0]
    problem, hint = _explain(err, loc, root, is_key)
    return SpecError(path, line, col, dotted(loc), problem, hint=hint)


def _explain(err: ErrorDetails, loc: PathKey, root: type[BaseModel], is_key: bool) -> tuple[str, str | None]:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        model = model_at(root, loc[:-1])
        allowed = sorted(model.model_fields) if model else []
        hint = did_you_mean(loc[-1], allowed)
        if hint is None and allowed:
            hint = "allowed keys: " + ", ".join(allowed)
        return "unknown key", hint
    if kind == "missing":
        return "required key is missing", None
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ",").split(",") if c.strip()]
        hint = did_you_mean(value, choices)
        return f"{_describe(value)} is not one of: {', '.join(choices)}", hint
    if kind in ("value_error", "assertion_error"):
        message = err["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        return message, None
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        low = "1" if loc and loc[-1] in ("port", "host_port") else None
        if low:
            return f"{value} is out of range (ports are 1-65535)", None
        bound = next(iter(ctx.values()), "")
        words = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }
        return f"{value} must be {words[kind]} {bound}", None
    if kind == "string_pattern_mismatch":
        if is_key or (loc and loc[-2:-1] == ("env",)):
            return (
                f"'{loc[-1]}' is not a valid environment variable name",
                "use letters, digits and '_', not starting with a digit",
            )
        return f"{_describe(value)} does not match {ctx.get('pattern')}", None
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_describe(value)}", None
    return err["msg"], None
