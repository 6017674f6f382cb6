"""JSON Schema export: committed files are fresh, every document passes its metaschema, and model and
schema agree on generated cases, checked with real validators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30Validator, OAS31Validator
from openapi_spec_validator import validate as validate_openapi_document
from pydantic import BaseModel, ValidationError

from jobstatus import JobPostingStatusValue, JobStatus, JobStatusValue, StrictJobStatus, json_schema
from jobstatus.schema import DIALECTS, MODES, SCHEMA_MODELS, Dialect, SchemaMode, render

SCHEMAS = Path(__file__).parent.parent / "schemas"
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


def test_openapi_30_has_no_null_type() -> None:
    text = json.dumps(json_schema(JobStatus, dialect="openapi-3.0"))
    assert '"null"' not in text
    assert '"nullable": true' in text


def test_enum_is_listed_in_spec_order() -> None:
    value_schema = json_schema(StrictJobStatus)["properties"]["value"]
    assert value_schema["anyOf"][0]["enum"] == [member.value for member in JobStatusValue]
    assert value_schema["anyOf"][1] == {"type": "null"}


@pytest.mark.parametrize(
    ("mode", "dialect"),
    [("sideways", "2020-12"), ("validation", "draft-07")],
)
def test_unknown_mode_or_dialect_is_a_value_error(mode: Any, dialect: Any) -> None:
    with pytest.raises(ValueError, match="must be one of"):
        json_schema(JobStatus, mode=mode, dialect=dialect)


def _validator(model: type[BaseModel], mode: SchemaMode, dialect: Dialect) -> Any:
    document = json_schema(model, mode=mode, dialect=dialect)
    if dialect == "2020-12":
        return jsonschema.Draft202012Validator(document)
    root = {"$ref": f"#/components/schemas/{model.__name__}", "components": document["components"]}
    return (OAS31Validator if dialect == "openapi-3.1" else OAS30Validator)(root)


VALIDATORS = {(model, mode, dialect): _validator(model, mode, dialect) for model, mode, dialect in ALL}

json_leaves = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
)
json_values = st.recursive(
    json_leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=16,
)
canonical = st.sampled_from([member.value for member in (*JobStatusValue, *JobPostingStatusValue)])
respelled = canonical.flatmap(
    lambda value: st.sampled_from(
        [value.upper(), value.title().replace("_", " "), value.replace("_", "-"), f" {value} "]
    )
)
value_inputs = st.none() | canonical | respelled | st.text(max_size=12) | json_values
documents = st.fixed_dictionaries(
    {}, optional={"value": value_inputs, "source_value": json_values, "remote_label": json_values}
)
agreement = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("model", SCHEMA_MODELS, ids=lambda model: model.__name__)
@agreement
@given(document=documents)
def test_what_the_validation_schema_accepts_the_model_accepts(
    model: type[BaseModel], dialect: Dialect, document: dict[str, Any]
) -> None:
    if VALIDATORS[model, "validation", dialect].is_valid(document):
        model.model_validate_json(json.dumps(document))


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("model", SCHEMA_MODELS, ids=lambda model: model.__name__)
@agreement
@given(document=documents)
def test_every_dump_validates_against_the_serialization_schema(
    model: type[BaseModel], dialect: Dialect, document: dict[str, Any]
) -> None:
    try:
        instance = model.model_validate_json(json.dumps(document))
    except ValidationError:
        return
    dumped = json.loads(instance.model_dump_json())
    errors = [error.message for error in VALIDATORS[model, "serialization", dialect].iter_errors(dumped)]
    assert errors == [], dumped
