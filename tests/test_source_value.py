"""`source_value`: every JSON kind kept exactly, everything else rejected with a stable type and loc."""

from __future__ import annotations

import datetime
import decimal
import json
from collections import OrderedDict
from enum import IntEnum
from types import MappingProxyType
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError
from pydantic_core import SchemaValidator, core_schema

from jobstatus import MAX_INTEGER_DIGITS, MAX_SOURCE_VALUE_DEPTH, JobStatus, JobStatusValue, SourceValue, json_kind


class Priority(IntEnum):
    HIGH = 1


class Ratio(float):
    pass


def nested_list(depth: int) -> list[Any]:
    """A list nested `depth` levels deep, built without recursion."""
    root: list[Any] = []
    current = root
    for _ in range(depth - 1):
        child: list[Any] = []
        current.append(child)
        current = child
    return root


# JSON text in, the same JSON kind and value out.
json_round_trips = [
    '"On Hold"',
    '"1"',  # a numeric string stays a string
    '"true"',  # so does a boolean-looking one
    "1",  # an integer stays an integer, not 1.0
    "-0",
    "1.5",
    "1e-7",
    "true",  # a boolean stays a boolean, not 1
    "false",
    "null",
    "{}",
    "[]",
    '{"id": 3, "name": "Open", "color": "#fff", "nested": {"a": [1, 2.5, true, null, "x"]}}',
    '[1, "1", true, 1.0, null, {"k": []}]',
    "12345678901234567890123456789",  # beyond 64 bits
    '"\\u00e9t\\u00e9 \\ud83d\\ude00"',  # non-ASCII and a surrogate pair
]


@pytest.mark.parametrize("text", json_round_trips)
def test_json_value_round_trips_exactly(text: str) -> None:
    status = JobStatus.model_validate_json(f'{{"source_value": {text}}}')
    dumped = json.loads(status.model_dump_json())["source_value"]
    expected = json.loads(text)
    assert dumped == expected
    assert json.dumps(dumped) == json.dumps(expected)  # kinds too: 1 vs 1.0 vs true


python_inputs = [
    # (input, stored value, stored type)
    (True, True, bool),
    (1, 1, int),
    (1.0, 1.0, float),
    ("1", "1", str),
    (Priority.HIGH, 1, int),  # an int subclass is a number, stored as a plain int
    (Ratio(0.5), 0.5, float),  # likewise a float subclass
    ((1, "a"), [1, "a"], list),  # a tuple is an array
    (OrderedDict(a=1), {"a": 1}, dict),  # any Mapping is an object
    (MappingProxyType({"a": (True,)}), {"a": [True]}, dict),
    ({"a": {"b": [None]}}, {"a": {"b": [None]}}, dict),
    (JobStatusValue.ON_HOLD, "on_hold", str),  # a str subclass is a string, stored as a plain str
    ([Priority.HIGH, (Ratio(0.5),)], [1, [0.5]], list),  # the same inside containers
]


@pytest.mark.parametrize(("given", "stored", "stored_type"), python_inputs)
def test_python_input_with_a_json_kind(given: Any, stored: Any, stored_type: type) -> None:
    status = JobStatus(source_value=given)
    assert status.source_value == stored
    assert type(status.source_value) is stored_type


def test_booleans_inside_containers_stay_booleans() -> None:
    status = JobStatus(source_value={"flags": [True, False, 1, 0]})
    assert status.model_dump_json() == '{"source_value":{"flags":[true,false,1,0]},"value":null}'


invalid_python = [
    # (input, error type, loc)
    ({1, 2}, "json_kind", ("source_value",)),  # a set has no JSON kind
    (b"open", "json_kind", ("source_value",)),  # nor do bytes
    (datetime.date(2026, 1, 1), "json_kind", ("source_value",)),
    (decimal.Decimal("1.5"), "json_kind", ("source_value",)),
    (object(), "json_kind", ("source_value",)),
    (float("nan"), "finite_number", ("source_value", "number")),
    (float("inf"), "finite_number", ("source_value", "number")),
    (float("-inf"), "finite_number", ("source_value", "number")),
    ({1: "a"}, "string_type", ("source_value", "object", 1, "[key]")),  # non-string key
    ([1, {2, 3}], "json_kind", ("source_value", "array", 1)),
    ({"a": [float("nan")]}, "finite_number", ("source_value", "object", "a", "array", 0, "number")),
    ({"a": {"b": b"x"}}, "json_kind", ("source_value", "object", "a", "object", "b")),
    # values JSON cannot carry: a lone surrogate (not UTF-8), an integer longer than parsers read
    ("a\udfffb", "string_unicode", ("source_value", "string")),
    (["\ud800"], "string_unicode", ("source_value", "array", 0, "string")),
    (10**4300, "int_too_long", ("source_value", "integer")),
    ({"n": -(10**4300)}, "int_too_long", ("source_value", "object", "n", "integer")),
]


@pytest.mark.parametrize(
    ("given", "error_type", "loc"),
    invalid_python,
    ids=[f"{index}-{error_type}" for index, (_, error_type, _) in enumerate(invalid_python)],  # str(10**4300) fails
)
def test_python_input_without_a_json_kind_is_rejected(given: Any, error_type: str, loc: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        JobStatus(source_value=given)
    assert [(error["type"], error["loc"]) for error in caught.value.errors()] == [(error_type, loc)]


invalid_json = [
    ('{"source_value": NaN}', "finite_number", ("source_value", "number")),
    ('{"source_value": Infinity}', "finite_number", ("source_value", "number")),
    ('{"source_value": [-Infinity]}', "finite_number", ("source_value", "array", 0, "number")),
    ('{"source_value": 1e400}', "finite_number", ("source_value", "number")),  # overflows to inf
    ('{"source_value": "x"', "json_invalid", ()),  # truncated
]


@pytest.mark.parametrize(("text", "error_type", "loc"), invalid_json)
def test_json_input_rejected(text: str, error_type: str, loc: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        JobStatus.model_validate_json(text)
    assert [(error["type"], error["loc"]) for error in caught.value.errors()] == [(error_type, loc)]


def test_error_message_is_readable() -> None:
    with pytest.raises(ValidationError) as caught:
        JobStatus(source_value={1, 2})
    assert caught.value.errors()[0]["msg"] == (
        "Input should be a JSON value: a string, number, boolean, null, object or array"
    )


@pytest.mark.parametrize("kind", ["array", "object"])
def test_nesting_up_to_the_limit_is_kept(kind: str) -> None:
    opening, closing = ("[", "]") if kind == "array" else ('{"k":', "}")
    inner = "[]" if kind == "array" else "{}"
    text = opening * (MAX_SOURCE_VALUE_DEPTH - 1) + inner + closing * (MAX_SOURCE_VALUE_DEPTH - 1)
    status = JobStatus.model_validate_json(f'{{"source_value": {text}}}')
    assert json.dumps(status.source_value, separators=(",", ":")) == text.replace(" ", "")


@pytest.mark.parametrize("depth", [MAX_SOURCE_VALUE_DEPTH + 1, 150, 1_000, 100_000])
def test_deeper_python_input_is_a_validation_error(depth: int) -> None:
    with pytest.raises(ValidationError) as caught:
        JobStatus(source_value=nested_list(depth))
    [error] = caught.value.errors()
    # The error points at the first container past the limit: 128 arrays in, item 0 each time.
    too_deep_at = ("source_value", *("array", 0) * MAX_SOURCE_VALUE_DEPTH, "array")
    assert (error["type"], error["loc"]) == ("source_value_too_deep", too_deep_at)
    assert error["ctx"] == {"max_depth": MAX_SOURCE_VALUE_DEPTH}
    assert "deeper than 128 levels" in str(caught.value)  # the message renders without recursion


@pytest.mark.parametrize(
    ("depth", "error_type"),
    [
        (MAX_SOURCE_VALUE_DEPTH + 1, "source_value_too_deep"),
        (190, "source_value_too_deep"),
        (1_000, "json_invalid"),  # the JSON parser's own limit comes first
        (100_000, "json_invalid"),
    ],
)
def test_deeper_json_input_is_a_validation_error(depth: int, error_type: str) -> None:
    text = '{"source_value": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(ValidationError) as caught:
        JobStatus.model_validate_json(text)
    assert caught.value.errors()[0]["type"] == error_type


def test_deep_object_in_a_mapping_is_rejected() -> None:
    value: dict[str, Any] = {}
    current = value
    for _ in range(MAX_SOURCE_VALUE_DEPTH):
        current["k"] = {}
        current = current["k"]
    with pytest.raises(ValidationError) as caught:
        JobStatus(source_value=value)
    assert caught.value.errors()[0]["type"] == "source_value_too_deep"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("", "string"),
        (0, "integer"),
        (0.0, "number"),
        (False, "boolean"),
        (None, "null"),
        ({}, "object"),
        ([], "array"),
    ],
)
def test_json_kind(value: Any, kind: str) -> None:
    assert json_kind(value) == kind


def test_python_containers_are_copied() -> None:
    given: dict[str, Any] = {"a": [1, {"b": []}], "c": "x"}
    status = JobStatus(source_value=given)
    assert status.source_value == given
    assert status.source_value is not given  # the model never shares the caller's containers
    assert status.source_value["a"] is not given["a"]  # type: ignore[index]
    assert status.source_value["a"][1]["b"] is not given["a"][1]["b"]  # type: ignore[index]
    given["a"].append(2)
    assert status.source_value == {"a": [1, {"b": []}], "c": "x"}


strict_python = [
    # strict=True validation keeps list and dict validation strict: only a list is an array and
    # only a dict is an object, as pydantic's own strict mode has it.
    ((1, 2), "list_type", ("source_value", "array")),
    ([1, (2,)], "list_type", ("source_value", "array", 1, "array")),
    (MappingProxyType({"a": 1}), "dict_type", ("source_value", "object")),
    ({"a": MappingProxyType({})}, "dict_type", ("source_value", "object", "a", "object")),
    ({1, 2}, "json_kind", ("source_value",)),
    (float("nan"), "finite_number", ("source_value", "number")),
]


@pytest.mark.parametrize(("given", "error_type", "loc"), strict_python)
def test_strict_python_validation(given: Any, error_type: str, loc: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        JobStatus.model_validate({"source_value": given}, strict=True)
    assert [(error["type"], error["loc"]) for error in caught.value.errors()] == [(error_type, loc)]


def test_strict_python_validation_accepts_plain_json_values() -> None:
    given = {"a": [1, 2.5, True, None, "x", {"b": []}]}
    assert JobStatus.model_validate({"source_value": given}, strict=True).source_value == given
    assert JobStatus.model_validate({"source_value": Priority.HIGH}, strict=True).source_value == 1
    assert JobStatus.model_validate({"source_value": OrderedDict(a=1)}, strict=True).source_value == {"a": 1}


# The same invalid value as JSON text and as Python data: the same errors, at the same locations.
same_errors = [
    ("NaN", float("nan")),
    ('[1, {"k": -Infinity}]', [1, {"k": float("-inf")}]),
    ('{"a": [[1e400], 2, [NaN]]}', {"a": [[float("inf")], 2, [float("nan")]]}),
    ("[" * (MAX_SOURCE_VALUE_DEPTH + 1) + "]" * (MAX_SOURCE_VALUE_DEPTH + 1), nested_list(MAX_SOURCE_VALUE_DEPTH + 1)),
    ("[" * 190 + "]" * 190, nested_list(190)),
    ('[{"k": [NaN]}, ' + "[" * 200 + "]" * 200 + "]", None),  # JSON only: beyond the parser's limit
]


@pytest.mark.parametrize(("text", "data"), same_errors)
def test_json_and_python_input_give_the_same_errors(text: str, data: Any) -> None:
    with pytest.raises(ValidationError) as from_json:
        JobStatus.model_validate_json(f'{{"source_value": {text}}}')
    if data is None:
        assert [error["type"] for error in from_json.value.errors()] == ["json_invalid"]
        return
    with pytest.raises(ValidationError) as from_python:
        JobStatus.model_validate({"source_value": data})
    json_errors = [(error["type"], error["loc"]) for error in from_json.value.errors()]
    assert json_errors == [(error["type"], error["loc"]) for error in from_python.value.errors()]
    assert all(loc[0] == "source_value" for _, loc in json_errors)


def test_every_bad_item_is_reported() -> None:
    text = '{"source_value": [NaN, 1, {"a": Infinity, "b": "x"}]}'
    with pytest.raises(ValidationError) as caught:
        JobStatus.model_validate_json(text)
    assert [(error["type"], error["loc"]) for error in caught.value.errors()] == [
        ("finite_number", ("source_value", "array", 0, "number")),
        ("finite_number", ("source_value", "array", 2, "object", "a", "number")),
    ]


def test_deep_json_error_points_at_the_container_past_the_limit() -> None:
    depth = MAX_SOURCE_VALUE_DEPTH + 1
    with pytest.raises(ValidationError) as caught:
        JobStatus.model_validate_json('{"source_value": ' + '{"k":' * (depth - 1) + "{}" + "}" * (depth - 1) + "}")
    [error] = caught.value.errors()
    too_deep_at = ("source_value", *("object", "k") * MAX_SOURCE_VALUE_DEPTH, "object")
    assert (error["type"], error["loc"]) == ("source_value_too_deep", too_deep_at)


def test_a_long_array_is_checked_to_the_end() -> None:
    items = ["1"] * 10_000 + ["NaN"]
    with pytest.raises(ValidationError) as caught:
        JobStatus.model_validate_json('{"source_value": [' + ", ".join(items) + "]}")
    assert [(error["type"], error["loc"]) for error in caught.value.errors()] == [
        ("finite_number", ("source_value", "array", 10_000, "number"))
    ]


def test_type_adapter_over_source_value() -> None:
    adapter = TypeAdapter(SourceValue)
    assert adapter.validate_json('[1, 1.0, "1", true, null, {}]') == [1, 1.0, "1", True, None, {}]
    assert [type(item) for item in adapter.validate_json("[1, 1.0, true]")] == [int, float, bool]
    with pytest.raises(ValidationError) as caught:
        adapter.validate_json('{"k": NaN}')
    assert [(error["type"], error["loc"]) for error in caught.value.errors()] == [
        ("finite_number", ("object", "k", "number"))
    ]
    assert adapter.dump_json({"a": [1, 2.5, None]}) == b'{"a":[1,2.5,null]}'


def test_a_container_that_holds_itself_is_too_deep() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValidationError) as caught:
        JobStatus(source_value=cycle)
    [error] = caught.value.errors()
    assert (error["type"], len(error["loc"])) == ("source_value_too_deep", 2 + 2 * MAX_SOURCE_VALUE_DEPTH)


def test_the_longest_integer_json_parsers_read_round_trips() -> None:
    longest = 10**MAX_INTEGER_DIGITS - 1  # 4,300 nines
    status = JobStatus(source_value=[longest, -longest])
    assert JobStatus.model_validate_json(status.model_dump_json()).source_value == [longest, -longest]


# Why JSON input is not read by a pure pydantic-core union that falls back to the exact validator
# (see `_source_value_core_schema`): when every member of a union fails, pydantic-core reports the
# errors of each member, under the member's name, so the exact validator's errors would not be the
# field's own. If this test fails, pydantic-core has changed that, and the decision is worth
# measuring again with bench/bench_core.py.
SOURCE_VALUE = TypeAdapter(SourceValue)

refused_by_both = [
    ("NaN", [("finite_number", ("number",))]),
    ("Infinity", [("finite_number", ("number",))]),
    ('[1, {"k": -Infinity}]', [("finite_number", ("array", 1, "object", "k", "number"))]),
]


@pytest.mark.parametrize(("text", "exact"), refused_by_both)
def test_a_union_with_the_exact_validator_would_change_the_errors(
    text: str, exact: list[tuple[str, tuple[str | int, ...]]]
) -> None:
    def exact_path(value: Any) -> Any:
        return SOURCE_VALUE.validate_python(value)

    leaves = [
        core_schema.str_schema(strict=True),
        core_schema.int_schema(strict=True),
        core_schema.float_schema(strict=True, allow_inf_nan=False),
        core_schema.bool_schema(strict=True),
        core_schema.none_schema(),
    ]
    node = core_schema.union_schema(list(leaves), mode="left_to_right")
    core_only = core_schema.union_schema(
        [*leaves, core_schema.dict_schema(core_schema.str_schema(strict=True), node), core_schema.list_schema(node)],
        mode="left_to_right",
    )
    union = SchemaValidator(
        core_schema.union_schema(
            [core_only, core_schema.no_info_plain_validator_function(exact_path)], mode="left_to_right"
        )
    )
    with pytest.raises(ValidationError) as by_exact:
        SOURCE_VALUE.validate_json(text)
    assert [(error["type"], error["loc"]) for error in by_exact.value.errors()] == exact
    with pytest.raises(ValidationError) as by_union:
        union.validate_json(text)
    errors = by_union.value.errors()
    assert len(errors) > len(exact)  # every member's errors, the exact validator's among them
    assert [(error["type"], error["loc"][1:]) for error in errors[-len(exact) :]] == exact
    members = {str(error["loc"][0]).partition("[")[0] for error in errors}
    assert members == {"union", "function-plain"}  # each error under the name of its member
