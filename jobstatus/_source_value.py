"""`source_value`: any JSON value, kept exactly as the provider sent it.

The value is a union tagged by its JSON kind. A Python callable picks the tag, so each kind is
validated by exactly one strict branch: `True` can never become `1` or `1.0`, `1` never `1.0`, and
`"true"` stays a string. Objects keep every key and arrays every element, nested to at most
`MAX_SOURCE_VALUE_DEPTH` levels.

The depth limit is built into the schema rather than checked by a walk: the union is unrolled into
one definition per level, and the last level has no container branches. Depth then costs nothing on
the common path, deep input stops at the limit without recursion, and the error points at the
exact container that is too deep.

As in every pydantic tagged union, the error `loc` names the chosen kind after each step of the
path: a `NaN` at `source_value[2]["k"]` is reported at `("source_value", "array", 2, "object", "k",
"number")`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias, Union

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

__all__ = ("MAX_SOURCE_VALUE_DEPTH", "SourceValue", "json_kind")

MAX_SOURCE_VALUE_DEPTH = 128
"""How deep `source_value` may nest: `[]` is one level, `[[]]` two. A deeper container is rejected
with the error type `source_value_too_deep` at its own location. JSON text has a second, larger
limit: pydantic's parser refuses documents nested more than about 200 levels as `json_invalid`
before any field is read."""

_KIND_OF_TYPE: dict[type, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
    dict: "object",
    list: "array",
}


def json_kind(value: Any) -> str | None:
    """Name the JSON kind of a Python value, or return `None` when it has none.

    `bool` counts as a boolean although it is a subclass of `int`; other `int` and `float`
    subclasses (an `IntEnum` member, say) count as numbers; tuples count as arrays and any
    `Mapping` as an object (its keys are checked by the object branch). Sets, bytes, dates and other
    objects have no JSON kind.

    ```python
    from jobstatus import json_kind

    assert [json_kind(v) for v in ("1", 1, 1.0, True, None, {}, (), {1})] == [
        "string", "integer", "number", "boolean", "null", "object", "array", None,
    ]
    ```
    """
    kind = _KIND_OF_TYPE.get(type(value))  # exact types first: the JSON parser only makes these
    if kind is not None:
        return kind
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return None


def _too_deep(value: Any) -> Any:
    raise PydanticCustomError(
        "source_value_too_deep",
        "source_value nests deeper than {max_depth} levels",
        {"max_depth": MAX_SOURCE_VALUE_DEPTH},
    )


def _upstream_json_schema(schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
    """The upstream schema's own shape for `source_value`. One `number` branch covers integers
    too: separate `integer` and `number` branches inside a `oneOf` would make `1` match twice."""
    return {
        "oneOf": [
            {"type": "string"},
            {"type": "number"},
            {"type": "boolean"},
            {"type": "object"},
            {"type": "array", "items": {}},
            {"type": "null"},
        ]
    }


def _level_ref(level: int) -> str:
    return f"jobstatus.SourceValue.level{level}"


def _source_value_core_schema() -> core_schema.CoreSchema:
    """The tagged union unrolled into `MAX_SOURCE_VALUE_DEPTH + 1` definitions, one per level.

    Strict int and float return plain `int` and `float` for their subclasses, so an `IntEnum`
    member is stored as the number it stands for.
    """
    key = core_schema.str_schema(strict=True)
    scalars: dict[str, core_schema.CoreSchema] = {
        "string": core_schema.str_schema(strict=True),
        "integer": core_schema.int_schema(strict=True),
        "number": core_schema.float_schema(strict=True, allow_inf_nan=False),
        "boolean": core_schema.bool_schema(strict=True),
        "null": core_schema.none_schema(),
    }
    too_deep = core_schema.no_info_plain_validator_function(_too_deep)
    definitions: list[core_schema.CoreSchema] = []
    containers: dict[str, core_schema.CoreSchema]
    for level in range(MAX_SOURCE_VALUE_DEPTH + 1):
        if level == 0:
            containers = {"object": too_deep, "array": too_deep}
        else:
            child = core_schema.definition_reference_schema(_level_ref(level - 1))
            containers = {"object": core_schema.dict_schema(key, child), "array": core_schema.list_schema(child)}
        definitions.append(
            core_schema.tagged_union_schema(
                {**scalars, **containers},
                json_kind,
                custom_error_type="json_kind",
                custom_error_message="Input should be a JSON value: a string, number, boolean, null, object or array",
                ref=_level_ref(level),
                # Every level describes itself as the upstream schema, so a JSON Schema generator
                # that walks all definitions (FastAPI's does) never descends the unrolled levels.
                metadata={"pydantic_js_functions": [_upstream_json_schema]},
            )
        )
    return core_schema.definitions_schema(
        core_schema.definition_reference_schema(_level_ref(MAX_SOURCE_VALUE_DEPTH)), definitions
    )


JsonValue: TypeAlias = Union[str, int, float, bool, dict[str, "JsonValue"], list["JsonValue"], None]
"""Any JSON value, as type checkers see it."""

if TYPE_CHECKING:
    SourceValue: TypeAlias = JsonValue
else:

    class SourceValue:
        """The raw status a provider sent: any JSON value within `MAX_SOURCE_VALUE_DEPTH` levels.

        Type checkers see `JsonValue`; pydantic sees the schema below. Use it as a field type or
        in a `TypeAdapter`; it is never instantiated.

        ```python
        from pydantic import TypeAdapter
        from jobstatus import SourceValue

        adapter = TypeAdapter(SourceValue)
        assert adapter.validate_json('true') is True
        assert adapter.validate_json('1') == 1 and type(adapter.validate_json('1')) is int
        assert adapter.validate_json('{"id": 3, "name": "On Hold"}') == {"id": 3, "name": "On Hold"}
        ```
        """

        @classmethod
        def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
            return _source_value_core_schema()

        @classmethod
        def __get_pydantic_json_schema__(
            cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
        ) -> JsonSchemaValue:
            return _upstream_json_schema(schema, handler)
