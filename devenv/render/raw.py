"""Raw compose keys (``compose:`` in devenv.yaml), merged last into what devenv renders. Pure.

The escape hatch for everything the spec has no field for: a service's, a dependency's
or the project's own compose keys, written by hand or by ``devenv import``. They are
merged after devenv's own keys, so the user's values win:

- a mapping merges into devenv's mapping, key by key, recursively (``environment``,
  ``labels``, ``build``, ``healthcheck``, ``depends_on``...); a list of ``KEY=VALUE``
  texts where devenv has a mapping (``environment: [A=1]``) counts as that mapping;
- a list or a value replaces devenv's (``ports``, ``volumes``, ``command``...), except
  ``depends_on: [a, b]``, which merges as ``{a: {condition: service_started}, ...}``;
- a key set to null removes what devenv renders there, at any depth (``init: null``,
  ``environment: {POSTGRES_USER: null}``); where devenv renders nothing, null is a value
  (``environment: {TOKEN: null}`` passes TOKEN through from the shell, as Compose does);
- values are literal, like ``env``: ``$`` is written ``$$`` so Compose does not
  interpolate it.
"""

from __future__ import annotations

from typing import Any


def literal(value: Any) -> Any:
    """``value`` with every ``$`` in its texts escaped for Compose (keys are left as they are)."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {key: literal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [literal(item) for item in value]
    return value


def _as_mapping(value: Any) -> dict[str, Any] | None:
    """``[A=1, B]`` -> ``{A: '1', B: None}``; a mapping as it is; None for anything else."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        out: dict[str, Any] = {}
        for item in value:
            key, sep, text = item.partition("=")
            out[key] = text if sep else None
        return out
    return None


def _merge(base: Any, raw: Any) -> Any:
    if isinstance(raw, dict | list) and isinstance(base, dict):
        mapping = _as_mapping(raw)
        if mapping is not None:
            merged = dict(base)
            for key, value in mapping.items():
                if value is None and key in base:
                    del merged[key]
                else:
                    merged[key] = _merge(base[key], value) if key in base else value
            return merged
    return raw


def merge_raw(entry: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """``entry`` (devenv's compose data for one service, or the whole file) with ``raw`` merged in last."""
    if not raw:
        return entry
    merged = dict(entry)
    for key, value in raw.items():
        if key == "depends_on" and isinstance(value, list):
            value = {str(name): {"condition": "service_started"} for name in value}
        if value is None:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = _merge(merged[key], literal(value))
        else:
            merged[key] = literal(value)
    return merged
