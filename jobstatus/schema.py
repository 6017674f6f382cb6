"""JSON Schema export: draft 2020-12, OpenAPI 3.1 and OpenAPI 3.0, generated from the models.

The package ships every schema of its own models as `jobstatus/schemas/<dialect>/<Model>.<mode>.json`
(read them with `packaged_schema`, or `jobstatus schema` on the command line). `make schema` writes
them with `write_schemas`, and a test fails when one differs from what the models generate.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from ._models import STATUS_MODELS
from .version import VERSION

__all__ = (
    "DIALECTS",
    "MODES",
    "PACKAGED_SCHEMAS",
    "SCHEMA_MODELS",
    "Dialect",
    "SchemaMode",
    "json_schema",
    "packaged_schema",
    "write_schemas",
)

Dialect = Literal["2020-12", "openapi-3.1", "openapi-3.0"]
SchemaMode = Literal["validation", "serialization"]
DIALECTS: tuple[Dialect, ...] = ("2020-12", "openapi-3.1", "openapi-3.0")
MODES: tuple[SchemaMode, ...] = ("validation", "serialization")
SCHEMA_MODELS: tuple[type[BaseModel], ...] = tuple(
    model for by_policy in STATUS_MODELS.values() for model in by_policy.values()
)
"""The package's own models, each shipped under `jobstatus/schemas/`."""
PACKAGED_SCHEMAS = "schemas"
"""The folder, inside the `jobstatus` package, of the shipped schemas (what `make schema` writes)."""

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
    assert schema["properties"]["value"]["anyOf"][0] == {"$ref": "#/$defs/JobStatusValue"}
    assert schema["$defs"]["JobStatusValue"]["enum"][-2:] == ["on_hold", "unmapped_value"]

    document = json_schema(JobStatus, dialect="openapi-3.0")
    assert document["openapi"] == "3.0.3" and "JobStatus" in document["components"]["schemas"]
    ```
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}; got {dialect!r}")
    schema = model.model_json_schema(mode=mode)
    definitions = schema.pop("$defs", {})
    schema = _enums_by_reference(schema, definitions)
    if dialect == "2020-12":
        head = {"$schema": _DRAFT_2020_12, "$id": f"urn:jobstatus:{model.__name__}:{mode}"}
        return {**head, **schema, **({"$defs": definitions} if definitions else {})}
    components = _openapi_refs({**definitions, model.__name__: schema})
    if dialect == "openapi-3.0":
        components = _openapi_30(components)
    return {
        "openapi": _OPENAPI_VERSIONS[dialect],
        "info": {"title": f"jobstatus {model.__name__} ({mode})", "version": VERSION, "license": _LICENSE[dialect]},
        "paths": {},
        "components": {"schemas": components},
    }


_LICENSE: dict[str, dict[str, str]] = {
    "openapi-3.1": {"name": "MIT", "identifier": "MIT"},
    "openapi-3.0": {"name": "MIT", "url": "https://opensource.org/license/mit"},
}


def _enums_by_reference(node: Any, definitions: dict[str, Any]) -> Any:
    """Move each inline enum (a schema with `enum` and the `title` pydantic gives an enum class)
    into `definitions` under its title, and refer to it there: one definition however often used."""
    if isinstance(node, list):
        return [_enums_by_reference(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _enums_by_reference(value, definitions) for key, value in node.items()}
    title = node.get("title")
    if "enum" in node and isinstance(title, str) and definitions.get(title, node) == node:
        definitions[title] = node
        return {"$ref": f"#/$defs/{title}"}
    return node


def _openapi_refs(node: Any) -> Any:
    """Point `#/$defs/X` references at `#/components/schemas/X`."""
    if isinstance(node, list):
        return [_openapi_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _openapi_refs(value) for key, value in node.items()}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        node["$ref"] = "#/components/schemas/" + ref.removeprefix("#/$defs/")
    return node


def _openapi_30(components: dict[str, Any]) -> dict[str, Any]:
    """Rewrite components into OpenAPI 3.0's dialect: no `null` type, no `const`.

    3.0 spells null as `nullable: true` beside a `type`. A `{"type": "null"}` branch of an `anyOf`
    is dropped and its first plain-typed sibling made nullable (`{"type": "string", "nullable":
    true}`); where the siblings are only references (an enum's, under the strict policy), the
    referenced enum itself becomes nullable and lists `null` among its values, since 3.0 ignores
    keywords beside a `$ref`. Every enum these models use is only ever used nullable.
    """
    nullable_refs: set[str] = set()

    def rewrite(node: Any) -> Any:
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: rewrite(value) for key, value in node.items()}
        branches = node.get("anyOf")
        if isinstance(branches, list) and {"type": "null"} in branches:
            others = [branch for branch in branches if branch != {"type": "null"}]
            typed = [index for index, branch in enumerate(others) if "type" in branch and "enum" not in branch]
            if typed:
                others[typed[0]] = {**others[typed[0]], "nullable": True}
            else:
                nullable_refs.update(branch["$ref"].rsplit("/", 1)[-1] for branch in others if "$ref" in branch)
            node["anyOf"] = others
            if len(others) == 1 and len(node) == 1:
                node = others[0]
        if "const" in node:
            node["enum"] = [node.pop("const")]
        return node

    rewritten = {name: rewrite(part) for name, part in components.items()}
    for name in nullable_refs:
        rewritten[name] = {**rewritten[name], "nullable": True, "enum": [*rewritten[name]["enum"], None]}
    return rewritten


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


def packaged_schema(
    model: type[BaseModel] | str, *, mode: SchemaMode = "validation", dialect: Dialect = "2020-12"
) -> str:
    """The text of a schema shipped inside the package, read with `importlib.resources`: the same
    as `render(json_schema(model, mode=mode, dialect=dialect))`, without pydantic building it.

    Args:
        model: one of `SCHEMA_MODELS`, or its class name (`"JobStatus"`).

    Raises:
        ValueError: `model` is not one of the package's models, or `mode` or `dialect` is unknown.

    ```python
    import json
    from jobstatus import JobStatus
    from jobstatus.schema import packaged_schema

    document = json.loads(packaged_schema(JobStatus, dialect="openapi-3.1"))
    assert document["openapi"] == "3.1.1" and "JobStatusValue" in document["components"]["schemas"]
    assert packaged_schema("JobStatus") == packaged_schema(JobStatus, mode="validation", dialect="2020-12")
    ```
    """
    names = [shipped.__name__ for shipped in SCHEMA_MODELS]
    name = model if isinstance(model, str) else model.__name__
    if name not in names or (not isinstance(model, str) and model not in SCHEMA_MODELS):
        raise ValueError(f"model must be one of {', '.join(names)}; got {name!r}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}; got {dialect!r}")
    folder = resources.files("jobstatus") / PACKAGED_SCHEMAS / dialect
    return (folder / f"{name}.{mode}.json").read_text(encoding="utf-8")
