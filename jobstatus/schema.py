"""JSON Schema export: draft 2020-12, OpenAPI 3.1 and OpenAPI 3.0, generated from the models.

The files under `schemas/` are written by `write_schemas` (`make schema`), and a test fails when they
differ from what the models generate.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from ._models import STATUS_MODELS
from .version import VERSION

__all__ = ("DIALECTS", "MODES", "SCHEMA_MODELS", "Dialect", "SchemaMode", "json_schema", "write_schemas")

Dialect = Literal["2020-12", "openapi-3.1", "openapi-3.0"]
SchemaMode = Literal["validation", "serialization"]
DIALECTS: tuple[Dialect, ...] = ("2020-12", "openapi-3.1", "openapi-3.0")
MODES: tuple[SchemaMode, ...] = ("validation", "serialization")
SCHEMA_MODELS: tuple[type[BaseModel], ...] = tuple(
    model for by_policy in STATUS_MODELS.values() for model in by_policy.values()
)
"""The package's own models, each published under `schemas/`."""

_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_OPENAPI_VERSIONS = {"openapi-3.1": "3.1.1", "openapi-3.0": "3.0.3"}


def json_schema(
    model: type[BaseModel], *, mode: SchemaMode = "validation", dialect: Dialect = "2020-12"
) -> dict[str, Any]:
    """Generate the JSON Schema document of `model` in `dialect`.

    Args:
        model: any pydantic model; the package's own are listed in `SCHEMA_MODELS`.
        mode: `"validation"` describes what the model accepts, `"serialization"` what it emits.
        dialect: `"2020-12"` gives a standalone schema with `$schema` and a stable `$id`; the
            OpenAPI dialects give a minimal OpenAPI document whose `components.schemas` holds the
            model and everything it refers to (OpenAPI 3.0 spells null as `nullable`).

    Returns:
        A new dict, safe to change.

    Raises:
        ValueError: `mode` or `dialect` is not one of the names above.

    ```python
    from jobstatus import JobStatus, json_schema

    schema = json_schema(JobStatus)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["value"]["anyOf"][0]["anyOf"][0]["enum"][-2:] == ["on_hold", "unmapped_value"]

    document = json_schema(JobStatus, dialect="openapi-3.0")
    assert document["openapi"] == "3.0.3" and "JobStatus" in document["components"]["schemas"]
    ```
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}; got {dialect!r}")
    if dialect == "2020-12":
        schema = model.model_json_schema(mode=mode)
        return {"$schema": _DRAFT_2020_12, "$id": f"urn:jobstatus:{model.__name__}:{mode}", **schema}
    schema = model.model_json_schema(mode=mode, ref_template="#/components/schemas/{model}")
    components = {**schema.pop("$defs", {}), model.__name__: schema}
    if dialect == "openapi-3.0":
        components = {name: _openapi_30(part) for name, part in components.items()}
    return {
        "openapi": _OPENAPI_VERSIONS[dialect],
        "info": {"title": f"jobstatus {model.__name__} ({mode})", "version": VERSION},
        "paths": {},
        "components": {"schemas": components},
    }


def _openapi_30(node: Any) -> Any:
    """Rewrite a JSON Schema fragment into OpenAPI 3.0's dialect: no `null` type, no `const`."""
    if isinstance(node, list):
        return [_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _openapi_30(value) for key, value in node.items()}
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if branches is not None and {"type": "null"} in branches:
            # OpenAPI 3.0 has no null type; a branch that admits null alone keeps anyOf and oneOf
            # exact (a `nullable` beside `$ref` would be ignored).
            node[key] = [_NULL_30 if branch == {"type": "null"} else branch for branch in branches]
    if "const" in node:
        node["enum"] = [node.pop("const")]
    return node


_NULL_30 = {"type": "string", "nullable": True, "enum": [None]}


def write_schemas(
    out_dir: Path,
    *,
    models: Sequence[type[BaseModel]] = SCHEMA_MODELS,
    dialects: Sequence[Dialect] = DIALECTS,
    modes: Sequence[SchemaMode] = MODES,
) -> list[Path]:
    """Write the schema of each model in each dialect and mode (all of them by default, as
    `make schema` does) to `out_dir/<dialect>/<Model>.<mode>.json`; return the paths.

    ```python
    import tempfile
    from pathlib import Path
    from jobstatus import JobStatus
    from jobstatus.schema import write_schemas

    with tempfile.TemporaryDirectory() as folder:
        written = write_schemas(Path(folder))
        assert Path(folder, "openapi-3.0", "JobStatus.validation.json") in written
        some = write_schemas(Path(folder), models=[JobStatus], dialects=["openapi-3.1"], modes=["serialization"])
        assert some == [Path(folder, "openapi-3.1", "JobStatus.serialization.json")]
    ```
    """
    written = []
    for dialect in dialects:
        for model in models:
            for mode in modes:
                path = out_dir / dialect / f"{model.__name__}.{mode}.json"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(render(json_schema(model, mode=mode, dialect=dialect)), encoding="utf-8")
                written.append(path)
    return written


def render(document: dict[str, Any]) -> str:
    """The committed text form of a schema document: sorted keys, two-space indent, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
