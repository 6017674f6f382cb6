"""The `{value, source_value}` object shared by the upstream API's status enums, and the one home
of the policies for `value` strings that are not members of the enum.

`value` is validated in two steps, both chained inside pydantic-core:

1. the enum's exact values and their common spellings ("On Hold", "onHold", ...) are matched in
   pydantic-core (the fast path: such a string never runs Python code); any other string passes
   as a plain `str`; anything else fails with the error type `status_value_type`.
2. a string that is not a member yet is matched by its `status_key` (case and every separator
   ignored) in Python, and the policy decides what an unknown one becomes.
"""

# No `from __future__ import annotations` here: pydantic before 2.13 evaluates the inherited
# `__pydantic_extra__` annotation in the namespace of each subclass's module, where a string
# "dict[str, SourceValue]" names nothing (NameError), so the annotation must be a real type.

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.config import JsonDict
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from ._source_value import SourceValue, check_text
from ._values import common_spellings, member_by_key, status_key

__all__ = ("UnifiedStatus", "UnifiedValue", "UnknownValuePolicy")

UnknownValuePolicy = Literal["open", "unmapped", "strict"]
"""What a `value` string that names no member becomes:

- `"open"`: kept as the plain `str` it was (upstream's "unknown values allowed");
- `"unmapped"`: the enum's `unmapped_value`, the string moved into an empty `source_value`;
- `"strict"`: a `ValidationError` of type `status_value_unknown` that lists the allowed values.
"""


@dataclass(frozen=True)
class UnifiedValue:
    """The `Annotated` marker that makes a field a unified status value of `enum` under `policy`.

    Args:
        enum: the unified vocabulary, a `str` enum with an `unmapped_value` member.
        policy: what an unknown string becomes (see `UnknownValuePolicy`).

    ```python
    from typing import Annotated, Optional, Union
    from pydantic import TypeAdapter
    from jobstatus import JobStatusValue, UnifiedValue

    adapter = TypeAdapter(Annotated[Optional[Union[JobStatusValue, str]], UnifiedValue(JobStatusValue, "open")])
    assert adapter.validate_python("On Hold") is JobStatusValue.ON_HOLD
    assert adapter.validate_python("Frozen") == "Frozen"
    ```
    """

    enum: type[Enum]
    policy: UnknownValuePolicy

    def __get_pydantic_core_schema__(self, source_type: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        # Exact values and common spellings come first, matched by a literal of plain strings inside
        # pydantic-core; the matched string is turned into its member by the spellings dict's own
        # `__getitem__`, a C function, so no Python code runs: canonical and respelled values then cost
        # the same, less than a literal of the members followed by the Python resolver
        # (bench/bench_core.py). (A literal of the members is slower because they are not exact
        # `str`s; an enum schema costs ten times as much on a miss.) Any other
        # string reaches Python. A union reports one error of its own for a non-string
        # (`status_value_type`) instead of one per branch.
        spellings = common_spellings(self.enum)
        spelled = core_schema.no_info_after_validator_function(
            spellings.__getitem__, core_schema.literal_schema(list(spellings))
        )
        members = member_by_key(self.enum)
        string = core_schema.str_schema(strict=True)
        type_error: dict[str, Any] = {
            "custom_error_type": "status_value_type",
            "custom_error_message": "Input should be a string naming a status",
        }
        if self.policy == "strict":
            # The strict resolver raises its own error, which a union would replace: it runs as a
            # second step after the union, for every value, and returns members at once.
            exact_or_string = core_schema.union_schema([spelled, string], mode="left_to_right", **type_error)
            resolve = core_schema.no_info_plain_validator_function(_strict_resolver(self.enum, members))
            return core_schema.nullable_schema(core_schema.chain_schema([exact_or_string, resolve]))
        # The lenient resolver never fails on a string, so it can sit inside the union.
        folded = core_schema.no_info_after_validator_function(_lenient_resolver(members), string)
        return core_schema.nullable_schema(
            core_schema.union_schema([spelled, folded], mode="left_to_right", **type_error)
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        enum_schema = handler(core_schema.enum_schema(self.enum, list(self.enum), sub_type="str"))
        first_paragraph(enum_schema)
        # What the schema promises per policy: "open" accepts and emits any string; "unmapped"
        # accepts any string but emits only members; "strict" is described by its canonical
        # members (it also accepts their spelling variants, which JSON Schema cannot express).
        any_string = self.policy == "open" or (self.policy == "unmapped" and handler.mode == "validation")
        strings = [{"type": "string"}] if any_string else []
        return {"anyOf": [enum_schema, *strings, {"type": "null"}]}


def first_paragraph(schema: JsonDict) -> None:
    """Cut a docstring-made `description` to its first paragraph: the examples stay in the docs."""
    description = schema.get("description")
    if isinstance(description, str):
        schema["description"] = description.split("\n\n")[0].replace("\n", " ")


def _object_json_schema(schema: JsonDict) -> None:
    first_paragraph(schema)
    # Unknown keys hold any JSON value: `true` says so in one word, where pydantic would spell out
    # the `anyOf` of every JSON kind (the same verdicts: every JSON value is of one kind).
    schema["additionalProperties"] = True
    properties = schema.get("properties")
    for field in properties.values() if isinstance(properties, dict) else ():
        # No per-field title ("Value", "Source Value"): generators make each title an exported
        # type, and two models' "Value" types clash when re-exported together. No `default: null`:
        # an absent field is null already, and openapi-typescript reads a default as "always sent".
        if isinstance(field, dict):
            field.pop("title", None)
            if "default" in field and field["default"] is None:
                del field["default"]


# Feeds repeat the same few spellings ("On Hold" from one provider, "onHold" from another), so the
# lenient resolver remembers what short spellings fold to. Bounded in entries and in key length,
# so hostile input cannot grow it.
_REMEMBERED_SPELLINGS = 4096
_REMEMBERED_LENGTH = 64
_UNSEEN = object()


def _lenient_resolver(members: dict[str, Enum]) -> Callable[[str], str | Enum]:
    remembered: dict[str, Enum | None] = {}

    def resolve(value: str) -> str | Enum:
        member = remembered.get(value, _UNSEEN)
        if member is _UNSEEN:
            check_text(value)  # an unknown string is kept, so it must be writable as JSON
            member = members.get(status_key(value))
            if len(value) <= _REMEMBERED_LENGTH and len(remembered) < _REMEMBERED_SPELLINGS:
                remembered[value] = member
        return value if member is None else member  # type: ignore[return-value]

    return resolve


_SUGGESTION_SCAN = 64
# A suggestion from spelling alone must be close: one or two letters off a value ("on hodl",
# "pubished"). Looser, difflib finds a value for nearly any word ("Active" -> archived).
_SUGGESTION_CUTOFF = 0.8


def _suggestion(enum: type[Enum], value: str, key: str, members: dict[str, Enum]) -> Enum | None:
    """What an unknown `value` most likely meant: what the provider tables map it to, else a value
    spelt nearly the same, else nothing."""
    # The provider tables sit above this module; they are imported only on this error path.
    from .providers import suggest_value

    known = suggest_value(value, enum)
    if known is not None:
        return known
    closest = difflib.get_close_matches(key[:_SUGGESTION_SCAN], list(members), n=1, cutoff=_SUGGESTION_CUTOFF)
    return members[closest[0]] if closest else None


def _strict_resolver(enum: type[Enum], members: dict[str, Enum]) -> Callable[[str | Enum], Enum]:
    allowed = ", ".join(repr(member.value) for member in enum)

    def resolve(value: str | Enum) -> Enum:
        if isinstance(value, Enum):
            return value
        check_text(value)  # named in the error below, so it must be writable as JSON
        key = status_key(value)
        member = members.get(key)
        if member is not None:
            return member
        suggestion = _suggestion(enum, value, key, members)
        if suggestion is not None:
            raise PydanticCustomError(
                "status_value_unknown",
                "Input should be one of {allowed}; did you mean '{suggestion}'?",
                {"allowed": allowed, "suggestion": str(suggestion.value)},
            )
        raise PydanticCustomError("status_value_unknown", "Input should be one of {allowed}", {"allowed": allowed})

    return resolve


def _value_marker(model: type[BaseModel]) -> UnifiedValue | None:
    """The `UnifiedValue` marker of `model`'s `value` field, checked against its annotation.

    Raises:
        TypeError: the annotation and the marker contradict each other (the model would hold values
            its annotation says it cannot), or the marker names an enum without `unmapped_value`.
    """
    field = model.__pydantic_fields__.get("value")
    if field is None:
        return None
    markers = [item for item in field.metadata if isinstance(item, UnifiedValue)]
    if not markers:
        return None
    (marker,) = markers
    name = f"{model.__qualname__}.value"
    members = _annotated_types(field.annotation)
    enums = {kind for kind in members if isinstance(kind, type) and issubclass(kind, Enum)}
    if enums != {marker.enum}:
        named = ", ".join(sorted(enum.__name__ for enum in enums)) or "no enum"
        raise TypeError(f"{name}: the annotation names {named}, the marker {marker.enum.__name__}")
    if marker.policy == "open" and str not in members:
        raise TypeError(f"{name}: policy 'open' keeps unknown strings, so the annotation must allow str")
    if marker.policy == "unmapped" and "unmapped_value" not in {member.value for member in marker.enum}:
        raise TypeError(f"{name}: policy 'unmapped' needs an 'unmapped_value' member in {marker.enum.__name__}")
    return marker


def _annotated_types(annotation: Any) -> set[Any]:
    """The types a `value` annotation admits, unions and Optional unpacked."""
    if get_origin(annotation) in (Union, UnionType):
        return {kind for arg in get_args(annotation) for kind in _annotated_types(arg)}
    return {annotation}


def _unmapped_finisher(enum: type[Enum]) -> Callable[[BaseModel], BaseModel]:
    """The "unmapped" policy's last step: an unknown `value` string becomes `unmapped_value`, and
    moves into `source_value` when that is absent or null, so nothing the sender wrote is lost."""
    unmapped = enum("unmapped_value")

    def finish(status: BaseModel) -> BaseModel:
        value = status.__dict__.get("value")
        if value is None or isinstance(value, Enum):
            return status
        # The instance is frozen and not yet handed out: setting through __dict__ is the one
        # sanctioned way for a validator to finish building it.
        status.__dict__["value"] = unmapped
        if status.__dict__.get("source_value") is None:
            status.__dict__["source_value"] = value
            status.__pydantic_fields_set__.add("source_value")
        return status

    return finish


class UnifiedStatus(BaseModel):
    """Base of every `{value, source_value}` model: both fields optional, unknown keys kept.

    Subclasses declare `value` with a `UnifiedValue` marker. Instances are immutable; keys the
    model does not know are kept and dumped back, because the upstream object is open.

    Another upstream object of the same shape takes three lines (its enum needs `unmapped_value`):

    ```python
    from enum import StrEnum
    from typing import Annotated, Optional, Union
    from jobstatus import UnifiedStatus, UnifiedValue

    class EmploymentType(StrEnum):
        FULL_TIME = "full_time"
        PART_TIME = "part_time"
        UNMAPPED_VALUE = "unmapped_value"

    class EmploymentTypeStatus(UnifiedStatus):
        value: Annotated[Optional[Union[EmploymentType, str]], UnifiedValue(EmploymentType, "open")] = None

    assert EmploymentTypeStatus.model_validate({"value": "Full-Time"}).value is EmploymentType.FULL_TIME
    ```

    The marker alone decides the policy, and a marker that contradicts its annotation is refused
    when the class is defined:

    ```python
    from typing import Annotated, Optional
    import pytest
    from jobstatus import JobStatusValue, UnifiedStatus, UnifiedValue

    class Unmapped(UnifiedStatus):
        value: Annotated[Optional[JobStatusValue], UnifiedValue(JobStatusValue, "unmapped")] = None

    assert Unmapped.model_validate({"value": "Frozen"}).value is JobStatusValue.UNMAPPED_VALUE

    with pytest.raises(TypeError, match="must allow str"):
        class Contradiction(UnifiedStatus):  # "open" keeps strings the annotation does not allow
            value: Annotated[Optional[JobStatusValue], UnifiedValue(JobStatusValue, "open")] = None
    ```
    """

    # Not defer_build: FastAPI (0.165) warns on the first request to a route whose body model
    # was deferred, and a deferred model inside a module-level TypeAdapter can fail to resolve.
    model_config = ConfigDict(frozen=True, extra="allow", json_schema_extra=_object_json_schema)
    # Unknown keys hold JSON values, checked like `source_value`: as `Any`, a `NaN` or a set would be
    # accepted and then written as null or not at all.
    __pydantic_extra__: dict[str, SourceValue] = Field(init=False)

    source_value: SourceValue = None
    """The provider's raw status, any JSON value, kept exactly (see `SourceValue`)."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: type[BaseModel], handler: GetCoreSchemaHandler) -> CoreSchema:
        # The one place where a model takes its policy: from the `UnifiedValue` marker on `value`,
        # whatever the base class. Only the "unmapped" policy needs a model-level step (it moves the
        # unknown string into `source_value`), so only its models pay for one.
        schema = handler(source)
        marker = _value_marker(cls)
        if marker is not None and marker.policy == "unmapped":
            return core_schema.no_info_after_validator_function(_unmapped_finisher(marker.enum), schema)
        return schema

    # Equality by JSON value: pydantic's own `==` compares Python values, where 1 == 1.0 == True,
    # and its `hash` fails on a dict or list inside. Two statuses are equal exactly when their
    # classes are and their JSON is, kinds included and key order of objects aside.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UnifiedStatus):
            return NotImplemented
        return type(self) is type(other) and _json_key(self._fields_as_json()) == _json_key(other._fields_as_json())

    def __hash__(self) -> int:
        return hash((type(self), _json_key(self._fields_as_json())))

    def _fields_as_json(self) -> dict[str, Any]:
        return {**self.__dict__, **(self.__pydantic_extra__ or {})}


def _json_key(value: Any) -> Any:
    """A hashable key that is equal for two values exactly when their JSON is: each scalar tagged
    with its kind (`True`, `1` and `1.0` differ), objects as sets of items (order aside), enum
    members as their values. Iterative, so any nesting allowed is safe."""
    kind = type(value)
    if kind is str or value is None:
        return value
    if isinstance(value, Enum):
        return value.value
    if kind is bool or kind is int or kind is float:
        return (kind.__name__, value)
    # Containers: built bottom-up from an explicit stack.
    root: list[Any] = []
    stack: list[tuple[Any, list[Any], Any]] = [(value, root, None)]
    done: list[tuple[list[Any], Any, Any, list[Any]]] = []
    while stack:
        container, into, label = stack.pop()
        parts: list[Any] = []
        done.append((into, label, container, parts))
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, item in items:
            if isinstance(item, (dict, list)):
                stack.append((item, parts, key))
            else:
                parts.append((key, _json_key(item)))
    for into, label, container, parts in reversed(done):
        key = (
            ("object", frozenset(parts))
            if isinstance(container, dict)
            else ("array", tuple(v for _, v in sorted(parts)))
        )
        into.append((label, key))
    return root[0][1]
