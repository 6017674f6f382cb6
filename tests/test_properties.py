"""Properties over generated input: the three promises, checked on JSON text, on arbitrary Python
objects, and on instances generated from the exported JSON Schemas.

1. Any input gives a valid object or a `ValidationError`, nothing else.
2. Every accepted document round-trips: dump, validate, dump again gives the same JSON.
3. With the default policy nothing is lost: `source_value`, an unknown `value` and unknown keys come
   back exactly (same JSON kinds, same key order, every character).
4. Schema and model agree both ways.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as conjecture_utils
from openapi_schema_validator import OAS30Validator, OAS31Validator
from pydantic import BaseModel, ValidationError

from fuzz.targets import same_json
from jobstatus import (
    JobPostingStatus,
    JobPostingStatusValue,
    JobStatus,
    JobStatusValue,
    StrictJobPostingStatus,
    StrictJobStatus,
    UnmappedJobPostingStatus,
    UnmappedJobStatus,
    fold_status,
    json_schema,
)
from jobstatus._values import status_key
from jobstatus.schema import DIALECTS, SCHEMA_MODELS, Dialect, SchemaMode

MODELS = SCHEMA_MODELS  # the package's own models
OPEN_MODELS: dict[type[BaseModel], type[enum.Enum]] = {
    JobStatus: JobStatusValue,
    JobPostingStatus: JobPostingStatusValue,
}
ENUM_OF: dict[type[BaseModel], type[enum.Enum]] = {
    JobStatus: JobStatusValue,
    UnmappedJobStatus: JobStatusValue,
    StrictJobStatus: JobStatusValue,
    JobPostingStatus: JobPostingStatusValue,
    UnmappedJobPostingStatus: JobPostingStatusValue,
    StrictJobPostingStatus: JobPostingStatusValue,
}
model_ids = [model.__name__ for model in MODELS]
bounded = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**4299), max_value=10**4299)  # up to the parser's 4,300 digits
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()  # every code point JSON can carry (no lone surrogates), NUL included
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=25,
)
canonical_values = st.sampled_from([m.value for m in (*JobStatusValue, *JobPostingStatusValue)])
respelled_values = canonical_values.flatmap(
    lambda value: st.sampled_from(
        [
            value.upper(),
            value.replace("_", " ").title(),
            value.replace("_", "-"),
            f"  {value}\t",
            value.title().replace("_", ""),
        ]
    )
)
value_inputs = st.none() | canonical_values | respelled_values | st.text() | json_values
json_documents = st.dictionaries(
    st.sampled_from(["value", "source_value"]) | st.text(max_size=6), value_inputs, max_size=4
)
# JSON text that is not a document of ours: other top levels, non-JSON literals, random bytes, cuts
json_texts = st.one_of(
    json_documents.map(lambda d: json.dumps(d).encode()),
    json_documents.map(lambda d: json.dumps(d, ensure_ascii=False).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(
        st.sampled_from(["value", "source_value", "x"]), st.floats() | st.lists(st.floats(), max_size=3)
    ).map(lambda d: json.dumps(d).encode()),  # NaN and Infinity, which Python writes and JSON has not
    st.binary(max_size=64),
    json_documents.flatmap(lambda d: st.integers(0, len(json.dumps(d))).map(lambda cut: json.dumps(d).encode()[:cut])),
    st.text().map(lambda t: t.encode("utf-8", "surrogatepass")),
)


class Color(enum.IntEnum):
    RED = 1


class Label(enum.StrEnum):
    ON_HOLD = "On Hold"


class FrozenMapping(Mapping[Any, Any]):
    """A read-only mapping that is not a dict."""

    def __init__(self, data: dict[Any, Any]) -> None:
        self._data = data

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


# Python objects of every sort: JSON-like ones, subclasses, and things with no JSON kind at all
python_scalars = st.one_of(
    json_scalars,
    st.floats(),  # NaN and infinities
    st.text(st.characters(codec=None, categories=None)),  # lone surrogates too
    st.binary(max_size=8),
    st.sets(st.integers(), max_size=3),
    st.frozensets(st.text(max_size=3), max_size=3),
    st.dates(),
    st.datetimes(),
    st.timedeltas(),
    st.decimals(),
    st.fractions(),
    st.complex_numbers(),
    st.uuids(),
    st.sampled_from([Color.RED, Label.ON_HOLD, JobStatusValue.OPEN, JobPostingStatusValue.LIVE, True, object()]),
    st.just(...),
    st.builds(type, st.just("Anything"), st.just(()), st.just({})),
)
python_values = st.recursive(
    python_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(st.text(max_size=4) | st.integers() | st.none(), children, max_size=4),
        st.dictionaries(st.text(max_size=4), children, max_size=3).map(FrozenMapping),
        st.dictionaries(st.text(max_size=4), children, max_size=3).map(OrderedDict),
    ),
    max_leaves=12,
)
python_inputs = st.one_of(
    python_values,
    st.fixed_dictionaries({}, optional={"value": python_values, "source_value": python_values, "x": python_values}),
)

# Python input that JSON can carry, and its dump back: JSON values, tuples, mappings, number subclasses
json_like_scalars = st.one_of(
    json_scalars.filter(lambda v: not isinstance(v, int) or abs(v) < 10**4299),
    st.sampled_from([Color.RED, Label.ON_HOLD, JobStatusValue.OPEN]),
)
json_like_values = st.recursive(
    json_like_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children),
        st.dictionaries(st.text(max_size=4), children, max_size=3).map(FrozenMapping),
        st.dictionaries(st.text(max_size=4), children, max_size=4),
    ),
    max_leaves=12,
)
json_like_documents = st.fixed_dictionaries(
    {}, optional={"value": value_inputs | json_like_values, "source_value": json_like_values}
)

# --------------------------------------------------------------------------------------------------
# 1. Only ValidationError
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=model_ids)
@bounded
@given(text=json_texts)
def test_json_text_gives_an_object_or_a_validation_error(model: type[BaseModel], text: bytes) -> None:
    with contextlib.suppress(ValidationError):  # anything else fails the test
        model.model_validate_json(text)


@pytest.mark.parametrize("model", MODELS, ids=model_ids)
@bounded
@given(data=python_inputs)
def test_python_objects_give_an_object_or_a_validation_error(model: type[BaseModel], data: Any) -> None:
    try:
        instance = model.model_validate(data)  # anything but a ValidationError fails the test
    except ValidationError:
        return
    # What Python input was accepted can be written as JSON and read back: values JSON cannot carry
    # (lone surrogates, integers past 4,300 digits, NaN, sets, ...) are refused, wherever they are.
    _assert_round_trips(model, instance)


# --------------------------------------------------------------------------------------------------
# 2. Round trips
# --------------------------------------------------------------------------------------------------


def _assert_round_trips(model: type[BaseModel], instance: BaseModel) -> None:
    for exclude_unset in (False, True):
        dumped = instance.model_dump_json(exclude_unset=exclude_unset)
        again = model.model_validate_json(dumped)
        assert again.model_dump_json(exclude_unset=exclude_unset) == dumped
        assert again == model.model_validate_json(dumped)


@pytest.mark.parametrize("model", MODELS, ids=model_ids)
@bounded
@given(text=json_texts)
def test_accepted_json_round_trips(model: type[BaseModel], text: bytes) -> None:
    try:
        instance = model.model_validate_json(text)
    except ValidationError:
        return
    _assert_round_trips(model, instance)


@pytest.mark.parametrize("model", MODELS, ids=model_ids)
@bounded
@given(data=json_like_documents)
def test_accepted_python_round_trips(model: type[BaseModel], data: dict[str, Any]) -> None:
    try:
        instance = model.model_validate(data)
    except ValidationError:
        return
    assert json.loads(instance.model_dump_json()) == instance.model_dump()
    _assert_round_trips(model, instance)


# --------------------------------------------------------------------------------------------------
# 3. Nothing lost under the default policy
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", list(OPEN_MODELS), ids=[m.__name__ for m in OPEN_MODELS])
@settings(deadline=None)
@given(document=json_documents)
def test_nothing_is_lost_under_the_default_policy(model: type[BaseModel], document: dict[str, Any]) -> None:
    text = json.dumps(document, ensure_ascii=False).encode()
    if not isinstance(document.get("value"), (str, type(None))):
        # the only refusal of the open policy: a value that is not a string
        with pytest.raises(ValidationError) as caught:
            model.model_validate_json(text)
        assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [("status_value_type", ("value",))]
        return
    instance = model.model_validate_json(text)
    dumped = json.loads(instance.model_dump_json())
    parsed = json.loads(text)  # the document as the sender wrote it, duplicates resolved
    members = {fold_status(str(m.value)): m.value for m in OPEN_MODELS[model]}
    for key, sent in parsed.items():
        if key == "value" and sent is not None:
            # a known value in any spelling becomes the member; an unknown one comes back as sent
            assert same_json(dumped["value"], members.get(fold_status(sent), sent))
        else:
            assert same_json(dumped[key], sent), key
    assert list(dumped)[2:] == [key for key in parsed if key not in ("value", "source_value")]


@settings(deadline=None)
@given(value=st.text(), source=st.none() | json_values)
def test_the_unmapped_policy_moves_an_unknown_value_and_loses_nothing(value: str, source: Any) -> None:
    instance = UnmappedJobStatus.model_validate_json(json.dumps({"value": value, "source_value": source}))
    member = {fold_status(m.value): m for m in JobStatusValue}.get(fold_status(value))
    if member is not None:
        assert (instance.value, instance.source_value) == (member, source)
    elif source is None:
        assert (instance.value, instance.source_value) == (JobStatusValue.UNMAPPED_VALUE, value)
    else:
        assert (instance.value, instance.source_value) == (JobStatusValue.UNMAPPED_VALUE, source)


# --------------------------------------------------------------------------------------------------
# 4. Schema and model agree, both ways
# --------------------------------------------------------------------------------------------------


def _validator(model: type[BaseModel], mode: SchemaMode, dialect: Dialect) -> Any:
    """A real validator of the exported document: jsonschema for 2020-12, openapi-schema-validator
    for the OpenAPI dialects (the model's component as the root)."""
    document = json_schema(model, mode=mode, dialect=dialect)
    if dialect == "2020-12":
        return jsonschema.Draft202012Validator(document)
    root = {"$ref": f"#/components/schemas/{model.__name__}", "components": document["components"]}
    return (OAS31Validator if dialect == "openapi-3.1" else OAS30Validator)(root)


VALIDATION = {(m, d): _validator(m, "validation", d) for m in MODELS for d in DIALECTS}
SERIALIZATION = {(m, d): _validator(m, "serialization", d) for m in MODELS for d in DIALECTS}


def _is_respelling(model: type[BaseModel], value: Any) -> bool:
    # As the models match: by `status_key`, case and every separator ignored (":DELETED" is deleted).
    members = {str(m.value) for m in ENUM_OF[model]}
    keys = {status_key(member) for member in members}
    return isinstance(value, str) and value not in members and status_key(value) in keys


# Each generated input is checked in every dialect: generating it is most of the cost, and each
# (model, dialect) pair still sees the profile's number of inputs.
@pytest.mark.parametrize("model", MODELS, ids=model_ids)
@bounded
@given(document=json_documents)
def test_model_and_validation_schema_accept_the_same_documents(
    model: type[BaseModel], document: dict[str, Any]
) -> None:
    try:
        instance = model.model_validate_json(json.dumps(document))
    except ValidationError:
        instance = None
    respelled = model in (StrictJobStatus, StrictJobPostingStatus) and _is_respelling(model, document.get("value"))
    dumped = None if instance is None else json.loads(instance.model_dump_json())
    for dialect in DIALECTS:
        schema_accepts = VALIDATION[model, dialect].is_valid(document)
        if respelled:
            # documented: the strict classes also accept spelling variants, which JSON Schema cannot express
            assert instance is not None
            assert not schema_accepts, dialect
        else:
            assert (instance is not None) == schema_accepts, (dialect, document)
        if dumped is not None:  # and what the model accepts, it dumps within the serialization schema
            assert SERIALIZATION[model, dialect].is_valid(dumped), (dialect, dumped)


@st.composite
def model_instances(draw: st.DrawFn, model: type[BaseModel]) -> BaseModel:
    """An instance built from the model's own fields: a `value` from its enum (or, for the open policy,
    any string), a `source_value` of any JSON kind, maybe unknown keys."""
    enum_class = ENUM_OF[model]
    values = st.none() | st.sampled_from(list(enum_class))
    if model in OPEN_MODELS:
        values |= st.text()
    fields = draw(
        st.fixed_dictionaries({}, optional={"value": values, "source_value": json_values, "remote_label": json_values})
    )
    return model.model_validate(fields)


@pytest.mark.parametrize("model", MODELS, ids=model_ids)
@bounded
@given(data=st.data())
def test_instances_of_the_model_satisfy_both_schemas(model: type[BaseModel], data: st.DataObject) -> None:
    instance = data.draw(model_instances(model))
    dumped = json.loads(instance.model_dump_json())
    for dialect in DIALECTS:  # every dialect on each instance, as above
        assert SERIALIZATION[model, dialect].is_valid(dumped), (dialect, dumped)
        assert VALIDATION[model, dialect].is_valid(dumped), (dialect, dumped)


# Instances generated from the exported schema itself, by hypothesis-jsonschema. Its release 0.23.1
# calls a hypothesis internal (`many.more()`) that hypothesis 6.170.10 removed; with a newer
# hypothesis the generator cannot run, and these tests say so instead of failing for that reason.
_SCHEMA_GENERATOR_WORKS = hasattr(conjecture_utils.many, "more")
needs_schema_generator = pytest.mark.skipif(
    not _SCHEMA_GENERATOR_WORKS,
    reason="hypothesis-jsonschema 0.23.1 needs hypothesis<=6.170.9 (pinned in constraints.txt)",
)


@functools.cache
def _from_schema(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    from hypothesis_jsonschema import from_schema

    return from_schema(json_schema(model, mode="validation"))


@needs_schema_generator
@pytest.mark.parametrize("model", MODELS, ids=model_ids)
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a slow generator
@given(data=st.data())
def test_what_the_schema_generates_the_model_accepts(model: type[BaseModel], data: st.DataObject) -> None:
    document = data.draw(_from_schema(model))
    instance = model.model_validate_json(json.dumps(document))
    dumped = json.loads(instance.model_dump_json())
    assert SERIALIZATION[model, "2020-12"].is_valid(dumped), dumped
    if model in OPEN_MODELS:
        # and nothing is lost: the open policy dumps back every value the schema allowed
        members = {str(m.value) for m in OPEN_MODELS[model]}
        for key, sent in document.items():
            if key != "value" or sent is None or sent in members or fold_status(sent) not in members:
                assert same_json(dumped[key], sent), key
