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
from pydantic import ValidationError

from jobstatus import MAX_SOURCE_VALUE_DEPTH, JobStatus, json_kind


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
]


@pytest.mark.parametrize(("given", "error_type", "loc"), invalid_python)
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
