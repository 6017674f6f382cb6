"""`source_value`: any JSON value, kept exactly as the provider sent it.

The value is a union tagged by its JSON kind. A Python callable picks the tag, so each kind is
validated by exactly one strict branch: `True` can never become `1` or `1.0`, `1` never `1.0`, and
`"true"` stays a string. Objects keep every key and arrays every element, nested to at most
`MAX_SOURCE_VALUE_DEPTH` levels.

As in every pydantic tagged union, the error `loc` names the chosen kind after each step of the
path: a `NaN` at `source_value[2]["k"]` is reported at `("source_value", "array", 2, "object", "k",
"number")`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, Union

from pydantic import Discriminator, Field, Strict, Tag, WithJsonSchema
from pydantic.functional_validators import BeforeValidator
from pydantic_core import PydanticCustomError
from typing_extensions import TypeAliasType

__all__ = ("MAX_SOURCE_VALUE_DEPTH", "JsonValue", "SourceValue", "json_kind")

MAX_SOURCE_VALUE_DEPTH = 128
"""How deep `source_value` may nest: `[]` is one level, `[[]]` two. Deeper input is rejected with
the error type `source_value_too_deep`, checked without recursion, so even hostile nesting ends in
a `ValidationError`. JSON text has a second, larger limit: pydantic's parser refuses documents
nested more than about 200 levels as `json_invalid` before any field is read."""


def json_kind(value: Any) -> str | None:
    """Name the JSON kind of a Python value, or return `None` when it has none.

    `bool` is tested before `int` because it is a subclass of `int`; `int` and `float` subclasses
    (an `IntEnum` member, say) count as numbers; tuples count as arrays and any `Mapping` as an
    object (its keys are checked by the object branch). Sets, bytes, dates and other objects have no
    JSON kind.

    ```python
    from jobstatus import json_kind

    assert [json_kind(v) for v in ("1", 1, 1.0, True, None, {}, (), {1})] == [
        "string", "integer", "number", "boolean", "null", "object", "array", None,
    ]
    ```
    """
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return None


def _plain_int(value: int) -> int:
    return int(value)


def _plain_float(value: float) -> float:
    return float(value)


_JSON_KIND = Discriminator(
    json_kind,
    custom_error_type="json_kind",
    custom_error_message="Input should be a JSON value: a string, number, boolean, null, object or array",
)

_FiniteFloat = Annotated[float, Strict(), Field(allow_inf_nan=False)]
# Strict int and float accept their subclasses; the before validators hand on a plain int or float
# so that an IntEnum member dumps as the number it stands for.
_Integer = Annotated[int, Strict(), BeforeValidator(_plain_int)]
_Number = Annotated[_FiniteFloat, BeforeValidator(_plain_float)]
_String = Annotated[str, Strict()]
_Boolean = Annotated[bool, Strict()]


def _check_depth(value: Any) -> Any:
    """Reject a container nested deeper than `MAX_SOURCE_VALUE_DEPTH`, walking it without recursion."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_SOURCE_VALUE_DEPTH:
            raise PydanticCustomError(
                "source_value_too_deep",
                "source_value nests deeper than {max_depth} levels",
                {"max_depth": MAX_SOURCE_VALUE_DEPTH},
            )
        children = node.values() if isinstance(node, Mapping) else node
        pending.extend((child, depth + 1) for child in children if isinstance(child, (Mapping, list, tuple)))
    return value


_DepthChecked = BeforeValidator(_check_depth)

# The upstream schema's own shape. One `number` branch covers integers too: separate `integer` and
# `number` branches inside a `oneOf` would make `1` match twice and fail.
_UPSTREAM_JSON_SCHEMA = WithJsonSchema(
    {
        "oneOf": [
            {"type": "string"},
            {"type": "number"},
            {"type": "boolean"},
            {"type": "object"},
            {"type": "array", "items": {}},
            {"type": "null"},
        ]
    }
)

if TYPE_CHECKING:
    # What type checkers see; pydantic sees the tagged unions below.
    JsonValue: TypeAlias = Union[str, int, float, bool, dict[str, "JsonValue"], list["JsonValue"], None]
    SourceValue: TypeAlias = JsonValue
else:
    JsonValue = TypeAliasType(
        "JsonValue",
        Annotated[
            Union[
                Annotated[_String, Tag("string")],
                Annotated[_Integer, Tag("integer")],
                Annotated[_Number, Tag("number")],
                Annotated[_Boolean, Tag("boolean")],
                Annotated[None, Tag("null")],
                Annotated[dict[_String, "JsonValue"], Tag("object")],
                Annotated[list["JsonValue"], Tag("array")],
            ],
            _JSON_KIND,
        ],
    )
    """Any JSON value, each kind kept as it is, nested without a depth check of its own."""

    SourceValue = TypeAliasType(
        "SourceValue",
        Annotated[
            Union[
                Annotated[_String, Tag("string")],
                Annotated[_Integer, Tag("integer")],
                Annotated[_Number, Tag("number")],
                Annotated[_Boolean, Tag("boolean")],
                Annotated[None, Tag("null")],
                Annotated[Annotated[dict[_String, JsonValue], _DepthChecked], Tag("object")],
                Annotated[Annotated[list[JsonValue], _DepthChecked], Tag("array")],
            ],
            _JSON_KIND,
            _UPSTREAM_JSON_SCHEMA,
        ],
    )
    """The raw status a provider sent: any JSON value within `MAX_SOURCE_VALUE_DEPTH` levels.

    ```python
    from pydantic import TypeAdapter
    from jobstatus import SourceValue

    adapter = TypeAdapter(SourceValue)
    assert adapter.validate_json('true') is True
    assert adapter.validate_json('1') == 1 and type(adapter.validate_json('1')) is int
    assert adapter.validate_json('{"id": 3, "name": "On Hold"}') == {"id": 3, "name": "On Hold"}
    ```
    """
