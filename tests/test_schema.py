"""JSON Schema export: committed files are fresh, every document passes its metaschema, and each
document has the shape code generators read correctly. Model and schema agreement on generated
cases is tests/test_properties.py's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, Optional

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_openapi_document
from pydantic import BaseModel

from jobstatus import JobStatus, JobStatusValue, StrictJobStatus, UnmappedJobStatus, json_schema
from jobstatus.schema import DIALECTS, MODES, SCHEMA_MODELS, Dialect, SchemaMode, packaged_schema, render

SCHEMAS = Path(__file__).parent.parent / "jobstatus" / "schemas"
ALL = [(model, mode, dialect) for model in SCHEMA_MODELS for mode in MODES for dialect in DIALECTS]
ALL_IDS = [f"{dialect}/{model.__name__}.{mode}" for model, mode, dialect in ALL]


@pytest.mark.parametrize(("model", "mode", "dialect"), ALL, ids=ALL_IDS)
def test_committed_schema_is_fresh(model: type[BaseModel], mode: SchemaMode, dialect: Dialect) -> None:
    path = SCHEMAS / dialect / f"{model.__name__}.{mode}.json"
    assert path.read_text(encoding="utf-8") == render(json_schema(model, mode=mode, dialect=dialect)), (
        f"{path} is stale: run `make schema`"
    )


def test_no_stray_schema_files() -> None:
    expected = {f"{dialect}/{model.__name__}.{mode}.json" for model, mode, dialect in ALL}
    assert {str(path.relative_to(SCHEMAS)) for path in SCHEMAS.rglob("*.json")} == expected


@pytest.mark.parametrize(("model", "mode", "dialect"), ALL, ids=ALL_IDS)
def test_document_passes_its_metaschema(model: type[BaseModel], mode: SchemaMode, dialect: Dialect) -> None:
    document = json_schema(model, mode=mode, dialect=dialect)
    if dialect == "2020-12":
        jsonschema.Draft202012Validator.check_schema(document)
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert document["$id"] == f"urn:jobstatus:{model.__name__}:{mode}"
    else:
        validate_openapi_document(document)
        assert document["openapi"] == {"openapi-3.1": "3.1.1", "openapi-3.0": "3.0.3"}[dialect]


@pytest.mark.parametrize(("model", "mode", "dialect"), ALL, ids=ALL_IDS)
def test_the_packaged_schema_is_the_committed_file(model: type[BaseModel], mode: SchemaMode, dialect: Dialect) -> None:
    text = packaged_schema(model, mode=mode, dialect=dialect)
    assert text == (SCHEMAS / dialect / f"{model.__name__}.{mode}.json").read_text(encoding="utf-8")
    assert packaged_schema(model.__name__, mode=mode, dialect=dialect) == text


class _Lookalike(BaseModel):
    pass


_Lookalike.__name__ = "JobStatus"


@pytest.mark.parametrize(
    ("model", "mode", "dialect", "message"),
    [
        ("Nope", "validation", "2020-12", "model must be one of JobStatus, "),
        (_Lookalike, "validation", "2020-12", "got 'JobStatus'"),
        ("JobStatus", "sideways", "2020-12", "mode must be one of"),
        ("JobStatus", "validation", "draft-07", "dialect must be one of"),
    ],
)
def test_packaged_schema_refuses_what_is_not_shipped(model: Any, mode: Any, dialect: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        packaged_schema(model, mode=mode, dialect=dialect)


def _nodes(node: Any) -> Any:
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from _nodes(child)


JSON_KINDS = [
    {"type": "string"},
    {"type": "integer"},
    {"type": "number"},
    {"type": "boolean"},
    {"type": "object", "additionalProperties": True},
    {"type": "array", "items": {}},
    {"type": "null"},
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("model", SCHEMA_MODELS, ids=lambda model: model.__name__)
def test_source_value_is_one_anyof_branch_per_json_kind(model: type[BaseModel], mode: SchemaMode) -> None:
    # integers apart from other numbers (generated models keep them), in an anyOf (1 matches two
    # branches), objects whose keys hold any value
    assert json_schema(model, mode=mode)["properties"]["source_value"] == {"anyOf": JSON_KINDS}
    in_30 = json_schema(model, mode=mode, dialect="openapi-3.0")["components"]["schemas"][model.__name__]
    assert in_30["properties"]["source_value"] == {"anyOf": [{"type": "string", "nullable": True}, *JSON_KINDS[1:-1]]}


@pytest.mark.parametrize(("model", "mode", "dialect"), ALL, ids=ALL_IDS)
def test_titles_name_only_the_model_and_its_enum(model: type[BaseModel], mode: SchemaMode, dialect: Dialect) -> None:
    document = json_schema(model, mode=mode, dialect=dialect)
    enum_name = "JobPostingStatusValue" if "Posting" in model.__name__ else "JobStatusValue"
    titles = sorted(node["title"] for node in _nodes(document) if isinstance(node, dict) and "title" in node)
    info = [document["info"]["title"]] if "info" in document else []
    assert titles == sorted([model.__name__, enum_name, *info])
    # the enum is defined once, and every use refers to it
    enums = [node for node in _nodes(document) if isinstance(node, dict) and "enum" in node]
    assert len(enums) == 1
    text = json.dumps(document)
    assert text.count(f'/{enum_name}"') == 1
    assert '"default"' not in text


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("model", SCHEMA_MODELS, ids=lambda model: model.__name__)
def test_openapi_30_spells_null_as_nullable_beside_a_type(model: type[BaseModel], mode: SchemaMode) -> None:
    document = json_schema(model, mode=mode, dialect="openapi-3.0")
    text = json.dumps(document)
    assert '"null"' not in text
    assert '"const"' not in text
    for node in _nodes(document):
        if isinstance(node, dict) and node.get("nullable") is True:
            assert "type" in node  # 3.0 ignores nullable without a type (Redocly: nullable-type-sibling)
            assert "enum" not in node or node["enum"][-1] is None  # and an enum must list null itself
            assert node.get("enum") != [None]


ENUM_STRING_OR_NULL = {"anyOf": [{"$ref": "#/$defs/JobStatusValue"}, {"type": "string"}, {"type": "null"}]}
ENUM_OR_NULL = {"anyOf": [{"$ref": "#/$defs/JobStatusValue"}, {"type": "null"}]}


@pytest.mark.parametrize(
    ("model", "mode", "value"),
    [
        (JobStatus, "validation", ENUM_STRING_OR_NULL),
        (JobStatus, "serialization", ENUM_STRING_OR_NULL),
        (UnmappedJobStatus, "validation", ENUM_STRING_OR_NULL),
        (UnmappedJobStatus, "serialization", ENUM_OR_NULL),
        (StrictJobStatus, "validation", ENUM_OR_NULL),
        (StrictJobStatus, "serialization", ENUM_OR_NULL),
    ],
)
def test_value_per_policy_and_mode(model: type[BaseModel], mode: SchemaMode, value: dict[str, Any]) -> None:
    assert json_schema(model, mode=mode)["properties"]["value"] == value


def test_enum_is_listed_in_spec_order() -> None:
    assert json_schema(StrictJobStatus)["$defs"]["JobStatusValue"]["enum"] == [
        member.value for member in JobStatusValue
    ]
    in_30 = json_schema(StrictJobStatus, dialect="openapi-3.0")["components"]["schemas"]
    assert in_30["JobStatusValue"]["enum"] == [*(member.value for member in JobStatusValue), None]
    assert in_30["StrictJobStatus"]["properties"]["value"] == {"$ref": "#/components/schemas/JobStatusValue"}
    open_30 = json_schema(JobStatus, dialect="openapi-3.0")["components"]["schemas"]
    assert "nullable" not in open_30["JobStatusValue"]
    assert open_30["JobStatus"]["properties"]["value"] == {
        "anyOf": [{"$ref": "#/components/schemas/JobStatusValue"}, {"type": "string", "nullable": True}]
    }


@pytest.mark.parametrize(
    ("mode", "dialect"),
    [("sideways", "2020-12"), ("validation", "draft-07")],
)
def test_unknown_mode_or_dialect_is_a_value_error(mode: Any, dialect: Any) -> None:
    with pytest.raises(ValueError, match="must be one of"):
        json_schema(JobStatus, mode=mode, dialect=dialect)


class _Tagged(BaseModel):
    kind: Literal["status"] = "status"
    label: Optional[str] = None


def test_openapi_30_rewrites_any_model_const_and_null() -> None:
    part = json_schema(_Tagged, dialect="openapi-3.0")["components"]["schemas"]["_Tagged"]["properties"]
    assert part["kind"]["enum"] == ["status"]
    assert "const" not in part["kind"]
    assert part["label"]["anyOf"] == [{"type": "string", "nullable": True}]
