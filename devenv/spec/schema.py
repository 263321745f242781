"""The JSON Schema of devenv.yaml."""

from __future__ import annotations

import json
from typing import Any

from devenv.spec.model import Spec


def spec_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the spec, from the pydantic model."""
    schema = Spec.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "devenv.yaml"
    return schema


def spec_schema_text() -> str:
    """The schema as stable, indented JSON text."""
    return json.dumps(spec_schema(), indent=2, sort_keys=True) + "\n"
