"""`source_value`: any JSON value, kept exactly as the provider sent it.

Two validators give the same answers:

- The exact one is a union tagged by JSON kind. A Python callable picks the tag, so each kind is
  validated by exactly one strict branch: `True` can never become `1` or `1.0`, `1` never `1.0`,
  and `"true"` stays a string. Objects keep every key and arrays every element, nested to at most
  `MAX_SOURCE_VALUE_DEPTH` levels. The depth limit is built into its schema rather than checked by
  a walk: the union is unrolled into one definition per level, and the last level has no container
  branches, so deep input stops at the limit without recursion and the error points at the exact
  container that is too deep.
- The fast one is what models run. pydantic-core reads the value as `Any` (for JSON text the
  parser has already fixed every kind), and one Python check per value accepts the common case:
  exact JSON types, finite numbers, string keys, nesting within the limit. Anything else (a tuple,
  an `IntEnum`, a `NaN`, too deep, ...) is handed to the exact validator, whose result or whose
  `ValidationError`, with its locations, becomes the field's own.

The split buys speed and import time: the exact union called Python once per JSON node and
converted each nested container to Python once per level, and its 129 unrolled levels were built
into every model. Now a document costs one Python call, and the unrolled schema is built once, on
first use.

Errors are bounded: a value reports at most `MAX_ERRORS` errors, then one `too_many_errors` that
counts the rest (`_bounded`), and the unknown keys of one object share one such budget
(`_budgeted`). The rest are counted by a walk that builds no error.

As in every pydantic tagged union, the error `loc` names the chosen kind after each step of the
path: a `NaN` at `source_value[2]["k"]` is reported at `("source_value", "array", 2, "object", "k",
"number")`.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Callable, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeAlias, Union

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, TypeAdapter, ValidationError
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import InitErrorDetails, PydanticCustomError, PydanticKnownError, core_schema

from ._errors import MAX_ERRORS, too_many_errors

__all__ = ("MAX_INTEGER_DIGITS", "MAX_SOURCE_VALUE_DEPTH", "SourceValue", "check_text", "json_kind")

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


_TOO_DEEP_TEMPLATE = "source_value nests deeper than {max_depth} levels"
_INT_TOO_LONG_TEMPLATE = "Integer should have at most {max_digits} digits, the most a JSON parser reads"
_JSON_KIND_MESSAGE = "Input should be a JSON value: a string, number, boolean, null, object or array"


def _too_deep(value: Any) -> Any:
    raise PydanticCustomError("source_value_too_deep", _TOO_DEEP_TEMPLATE, {"max_depth": MAX_SOURCE_VALUE_DEPTH})


# Python values that JSON text cannot carry, refused so that whatever is accepted can be written as
# JSON and read back (JSON input never holds them: its parser refuses both first).
MAX_INTEGER_DIGITS = 4300
"""The most digits an integer may have: pydantic's JSON parser, like Python's `int(str)`, reads no
longer integer, so a longer one could be dumped but never read back."""
_INTEGER_BOUND = 10**MAX_INTEGER_DIGITS
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _is_text(value: str) -> bool:
    """Whether a `str` is Unicode text that UTF-8, and so JSON, can carry: no lone surrogate
    (`isascii` answers most strings without a scan)."""
    return value.isascii() or _LONE_SURROGATE.search(value) is None


def check_text(value: str) -> str:
    """Return `value`, or raise `string_unicode` when it holds a lone surrogate."""
    if _is_text(value):
        return value
    raise PydanticKnownError("string_unicode")


def _check_integer(value: int) -> int:
    if -_INTEGER_BOUND < value < _INTEGER_BOUND:
        return value
    raise PydanticCustomError("int_too_long", _INT_TOO_LONG_TEMPLATE, {"max_digits": MAX_INTEGER_DIGITS})


_JSON_VALUE_BRANCHES: tuple[dict[str, Any], ...] = (
    {"type": "string"},
    {"type": "integer"},
    {"type": "number"},
    {"type": "boolean"},
    {"type": "object", "additionalProperties": True},
    {"type": "array", "items": {}},
    {"type": "null"},
)


def _source_value_json_schema(schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
    """Any JSON value, one branch per kind, as code generators read it: `integer` has a branch of
    its own, so generated models keep integers, inside an `anyOf` (upstream's `oneOf` would make `1`
    match both `integer` and `number`); `additionalProperties: true` says an object's keys hold any
    value (a bare `{"type": "object"}` reads as an empty record to some generators)."""
    return {"anyOf": [dict(branch) for branch in _JSON_VALUE_BRANCHES]}


def _level_ref(level: int) -> str:
    return f"jobstatus.SourceValue.level{level}"


def _exact_core_schema() -> core_schema.CoreSchema:
    """The tagged union unrolled into `MAX_SOURCE_VALUE_DEPTH + 1` definitions, one per level.

    Strict int and float return plain `int` and `float` for their subclasses, so an `IntEnum`
    member is stored as the number it stands for.
    """
    text = core_schema.no_info_after_validator_function(check_text, core_schema.str_schema(strict=True))
    key = text
    scalars: dict[str, core_schema.CoreSchema] = {
        "string": text,
        "integer": core_schema.no_info_after_validator_function(_check_integer, core_schema.int_schema(strict=True)),
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
                custom_error_message=_JSON_KIND_MESSAGE,
                ref=_level_ref(level),
            )
        )
    return core_schema.definitions_schema(
        core_schema.definition_reference_schema(_level_ref(MAX_SOURCE_VALUE_DEPTH)), definitions
    )


class _Exact:
    """The exact validator's marker type, for the one `TypeAdapter` that builds it."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return _exact_core_schema()


@functools.cache
def _exact() -> TypeAdapter[Any]:
    # Built on first use (the slowest schema to build: 129 unrolled levels): most processes never
    # meet a value that needs it.
    return TypeAdapter(_Exact)


# ------------------------------------------------------------------------------------------------
# Bounded errors: at most MAX_ERRORS built, the rest counted
# ------------------------------------------------------------------------------------------------
# A value that fails the fast check goes to the exact validator, which builds one error per bad
# item: a line of `[NaN, NaN, ...]` held a quarter of a million per megabyte. `_scan` walks the
# value in the exact validator's order and counts, without building anything, the errors it would
# report (the tests check that the two agree on every kind of input). Past the limit, the exact
# validator runs on a prefix of the value that ends at the limit-th error (lists and objects cut
# after it, along its path only): its errors are then exactly the first ones, at their own
# locations, and one `too_many_errors` counts the rest.

_Cut: TypeAlias = list[tuple[Any, int]]  # each container on the path and the position in it


def _fails_as_scalar(item: Any) -> bool:
    """Whether a value that is not a container to walk is an error to the exact validator."""
    kind = type(item)
    if kind is float:
        return not math.isfinite(item)
    if kind is str:
        return not (item.isascii() or _is_text(item))
    if kind is int:
        return not -_INTEGER_BOUND < item < _INTEGER_BOUND
    if kind is bool or item is None:
        return False
    json_type = json_kind(item)
    if json_type == "number":
        return not math.isfinite(item)
    if json_type == "integer":
        return not -_INTEGER_BOUND < item < _INTEGER_BOUND
    if json_type == "string":
        return not _is_text(item)
    return json_type != "boolean"  # no JSON kind: json_kind; containers are not asked


def _walks(item: Any, strict: bool) -> bool:
    """Whether the exact validator looks inside `item` (in strict mode only lists and dicts)."""
    kind = type(item)
    if kind is list or kind is dict:
        return True
    if strict:
        return isinstance(item, (list, dict))
    return isinstance(item, (list, tuple, Mapping))


def _key_fails(key: Any) -> bool:
    return not isinstance(key, str) or not _is_text(key)


# Complexity allowed: a hot path: one flat loop per value, no helper calls.
def _scan(value: Any, strict: bool, limit: int) -> tuple[int, _Cut | None, bool]:  # noqa: C901
    """How many errors the exact validator reports for `value`; with the path to the `limit`-th
    one (None when there are no more than `limit`), and whether that one is a key's.

    Iterative, in the validator's order: depth first, a key's error before its value's. Exact JSON
    scalars are checked inline (a call per item would double the cost of a long array).
    """
    if not _walks(value, strict):
        return int(_fails_as_scalar(value)), None, False
    failures = 0
    cut: _Cut | None = None
    key_failed = False
    # Each frame: the container, an iterator of its items, whether it is an object, the position
    # of the last item taken.
    stack: list[list[Any]] = []

    def push(container: Any) -> None:
        is_object = isinstance(container, Mapping)
        stack.append([container, iter(container.items() if is_object else container), is_object, -1])

    push(value)
    while stack:
        frame = stack[-1]
        is_object = frame[2]
        position = frame[3]
        for entry in frame[1]:
            position += 1
            if is_object:
                key, item = entry
                if type(key) is not str or not (key.isascii() or _is_text(key)):
                    failures += 1
                    if failures == limit:
                        frame[3] = position
                        cut, key_failed = [(f[0], f[3]) for f in stack], True
            else:
                item = entry
            kind = type(item)
            if kind is float:
                if math.isfinite(item):
                    continue
            elif kind is str:
                if item.isascii() or _is_text(item):
                    continue
            elif kind is int:
                if -_INTEGER_BOUND < item < _INTEGER_BOUND:
                    continue
            elif kind is bool or item is None:
                continue
            elif _walks(item, strict):
                if len(stack) < MAX_SOURCE_VALUE_DEPTH:
                    frame[3] = position
                    push(item)
                    break
                # a container past the depth limit: one error, its insides unread
            elif not _fails_as_scalar(item):
                continue
            failures += 1
            if failures == limit:
                frame[3] = position
                cut, key_failed = [(f[0], f[3]) for f in stack], False
        else:
            stack.pop()
            continue
    return failures, cut, key_failed


_END = object()


def _prefix(cut: _Cut, key_failed: bool) -> Any:
    """The value cut after the item at the end of `cut`: every container on the path keeps its items
    up to the path's own, the rest of the value is left out (so are the insides of a failed key's
    value)."""
    child: Any = _END
    for container, position in reversed(cut):
        if isinstance(container, Mapping):
            items = list(islice(container.items(), position + 1))
            key, item = items[-1]
            if child is not _END:
                item = child
            elif key_failed:
                item = None
            items[-1] = (key, item)
            child = dict(items)
        else:
            kept = list(islice(container, position + 1))
            if child is not _END:
                kept[-1] = child
            child = kept
    return child


_CUSTOM_TEMPLATES = {
    "source_value_too_deep": _TOO_DEEP_TEMPLATE,
    "int_too_long": _INT_TOO_LONG_TEMPLATE,
    "json_kind": _JSON_KIND_MESSAGE,
}


def _counted(error: ValidationError, count: PydanticCustomError) -> ValidationError:
    """`error`'s errors, unchanged, followed by `count` at the value itself."""
    details: list[InitErrorDetails] = []
    for detail in error.errors(include_url=False):
        template = _CUSTOM_TEMPLATES.get(detail["type"])
        context = detail.get("ctx")
        line: InitErrorDetails = {
            "type": detail["type"] if template is None else PydanticCustomError(detail["type"], template, context),
            "loc": detail["loc"],
            "input": detail["input"],
        }
        if template is None and context is not None:
            line["ctx"] = context
        details.append(line)
    details.append({"type": count, "loc": (), "input": None})
    return ValidationError.from_exception_data(error.title, details)


def _bounded(value: Any, strict: bool, limit: int = MAX_ERRORS) -> Any:
    """The exact validator's answer for `value`, reporting at most `limit` errors and then one
    `too_many_errors` (whose `PydanticCustomError` is returned... raised, and kept by `_budgeted`)."""
    failures, cut, key_failed = _scan(value, strict, limit)
    if cut is None or failures == limit:
        return _exact().validate_python(value, strict=strict)
    raise _counted(_first_errors(_prefix(cut, key_failed), strict), too_many_errors(failures - limit))


def _first_errors(prefix: Any, strict: bool) -> ValidationError:
    try:
        _exact().validate_python(prefix, strict=strict)
    except ValidationError as error:
        return error
    raise AssertionError("the prefix ends at an error")  # pragma: no cover - _scan and the validator agree


class _Budget(threading.local):
    """The error budget of the unknown keys of the object being validated, per thread.

    The object is told by its field dict (`ValidationInfo.data`), one per model being validated. It
    is held (not only its `id`) so that a new object can never be taken for a finished one.
    """

    owner: Any = None
    left: int = 0
    count: PydanticCustomError | None = None  # the too_many_errors already raised for this object


_BUDGET = _Budget()


def _budgeted(value: Any, strict: bool, owner: Any) -> Any:
    """`_bounded` for an unknown key of the object whose field dict is `owner`: its keys share one
    budget of `MAX_ERRORS` errors. Past it, a key that fails is counted into the object's
    `too_many_errors`, whose context pydantic renders when the errors are read, and passes as null:
    the object has failed already, so nothing is accepted."""
    if owner is None:
        return _bounded(value, strict)
    budget = _BUDGET
    if budget.owner is not owner:
        budget.owner, budget.left, budget.count = owner, MAX_ERRORS, None
    failures, cut, key_failed = _scan(value, strict, budget.left)
    if failures == 0:
        return _exact().validate_python(value, strict=strict)
    if budget.left == 0:
        if budget.count is not None:
            assert budget.count.context is not None
            budget.count.context["more"] += failures
            return None
        budget.count = too_many_errors(failures)
        raise ValidationError.from_exception_data("SourceValue", [{"type": budget.count, "loc": (), "input": None}])
    if cut is None or failures == budget.left:
        budget.left -= failures
        return _exact().validate_python(value, strict=strict)
    budget.count = too_many_errors(failures - budget.left)
    budget.left = 0
    raise _counted(_first_errors(_prefix(cut, key_failed), strict), budget.count)


def _is_flat(container: Any) -> bool:
    """Whether a list or dict parsed from JSON text holds only strings, integers, booleans and nulls:
    the common container, checked without the walk's stack (about half the cost for a three-key
    object, bench/bench_core.py). Plain loops: `all()` over a generator costs a frame switch per item."""
    if type(container) is dict:
        for key, item in container.items():  # noqa: SIM110
            if type(key) is not str or type(item) not in _FLAT_SCALARS:
                return False
        return True
    for item in container:  # noqa: SIM110
        if type(item) not in _FLAT_SCALARS:
            return False
    return True


# Complexity allowed: a hot path: written out per container type.
def _is_flat_text(container: Any) -> bool:  # noqa: C901
    """`_is_flat` for Python input, where a string may hold a lone surrogate and an integer may be
    too long: only ASCII strings and keys and short integers pass (the rest goes to the full walk).
    Keeping this shortcut is worth about 4% on Python input (documents as FastAPI validates them)."""
    if type(container) is dict:
        for key, item in container.items():
            kind = type(item)
            if type(key) is not str or not key.isascii():
                return False
            if kind is str:
                if not item.isascii():
                    return False
            elif kind is int:
                if not -_INTEGER_BOUND < item < _INTEGER_BOUND:
                    return False
            elif kind is not bool and item is not None:
                return False
        return True
    for item in container:
        kind = type(item)
        if kind is str:
            if not item.isascii():
                return False
        elif kind is int:
            if not -_INTEGER_BOUND < item < _INTEGER_BOUND:
                return False
        elif kind is not bool and item is not None:
            return False
    return True


# The two walks below are written out per container type, without generators or helper calls:
# each of those costs about as much as checking an item (one pass that checks and copies is less
# than half a shared walk's cost: bench/bench_core.py).


def _is_plain(value: Any) -> bool:
    """Whether a list or dict parsed from JSON text holds only finite numbers, nested within the
    limit (its keys are strings and its kinds exact already). Iterative, so any depth is safe."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        container, depth = stack.pop()
        if depth > MAX_SOURCE_VALUE_DEPTH:
            return False
        for item in container.values() if type(container) is dict else container:
            kind = type(item)
            if kind is list or kind is dict:
                stack.append((item, depth + 1))
            elif kind not in _PLAIN_SCALARS or (kind is float and not math.isfinite(item)):
                return False
    return True


# Complexity allowed: a hot path: written out per container type.
def _plain_copy(value: Any) -> Any:  # noqa: C901
    """A deep copy of a Python list or dict that is plain (see `_is_plain`; and, as Python values
    need, whose strings are Unicode text and whose integers have at most `MAX_INTEGER_DIGITS`
    digits), or `_NOT_PLAIN` as soon as something is not; checked and copied in one iterative pass."""
    root: Any = [] if type(value) is list else {}
    stack: list[tuple[Any, Any, int]] = [(value, root, 1)]
    while stack:
        source, target, depth = stack.pop()
        if depth > MAX_SOURCE_VALUE_DEPTH:
            return _NOT_PLAIN
        if type(source) is list:
            append = target.append
            for item in source:
                kind = type(item)
                if kind is list or kind is dict:
                    child: Any = [] if kind is list else {}
                    stack.append((item, child, depth + 1))
                    item = child
                elif kind is str:
                    if not (item.isascii() or _is_text(item)):
                        return _NOT_PLAIN
                elif kind is int:
                    if not -_INTEGER_BOUND < item < _INTEGER_BOUND:
                        return _NOT_PLAIN
                elif kind is float:
                    if not math.isfinite(item):
                        return _NOT_PLAIN
                elif kind is not bool and item is not None:
                    return _NOT_PLAIN
                append(item)
        else:
            for key, item in source.items():
                kind = type(item)
                if type(key) is not str or not (key.isascii() or _is_text(key)):
                    return _NOT_PLAIN
                if kind is list or kind is dict:
                    child = [] if kind is list else {}
                    stack.append((item, child, depth + 1))
                    item = child
                elif kind is str:
                    if not (item.isascii() or _is_text(item)):
                        return _NOT_PLAIN
                elif kind is int:
                    if not -_INTEGER_BOUND < item < _INTEGER_BOUND:
                        return _NOT_PLAIN
                elif kind is float:
                    if not math.isfinite(item):
                        return _NOT_PLAIN
                elif kind is not bool and item is not None:
                    return _NOT_PLAIN
                target[key] = item
    return root


_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})  # of JSON text: exact, and keys are strings
_FLAT_SCALARS = frozenset({str, int, bool, type(None)})  # floats need a finiteness check
_NOT_PLAIN = object()


Slow: TypeAlias = Callable[[Any, bool], Any]
"""What a fast check hands a value it cannot accept at once: `_bounded`, or `_later`."""


def _json_checker(slow: Slow) -> Callable[[Any], Any]:
    """The fast check of a value parsed from JSON text: every kind is already exact and every
    container fresh, so only numbers and nesting are left to check."""

    def check_json(value: Any) -> Any:
        kind = type(value)
        if kind is str or kind is int or kind is bool or value is None:
            return value
        if kind is float:
            if math.isfinite(value):
                return value
        elif _is_flat(value) or _is_plain(value):
            return value
        # A NaN, an infinity or too deep: the exact validator's ValidationError, raised here, keeps
        # every location, relative to the field.
        return slow(value, False)

    return check_json


def _checker(strict: bool, slow: Slow) -> Callable[[Any], Any]:
    """The fast check, one per strictness (a closure rather than a shared helper: a second Python
    call per value would cost about as much as the check itself)."""

    def check(value: Any) -> Any:
        kind = type(value)
        if kind is str:
            if value.isascii() or _is_text(value):
                return value
        elif kind is int:
            if -_INTEGER_BOUND < value < _INTEGER_BOUND:
                return value
        elif kind is bool or value is None:
            return value
        elif kind is float:
            if math.isfinite(value):
                return value
        elif kind is list or kind is dict:
            # A fresh copy, as list and dict validation gives: the model never shares the caller's
            # containers.
            if _is_flat_text(value):
                return value.copy()
            copied = _plain_copy(value)
            if copied is not _NOT_PLAIN:
                return copied
        # Anything else gets the exact validator's answer; its ValidationError, raised here, keeps
        # every location, relative to the field.
        return slow(value, strict)

    return check


def _later(value: Any, strict: bool) -> Any:
    return _LATER


_LATER = object()


def _with_budget(check: Callable[[Any], Any], strict: bool) -> core_schema.WithInfoValidatorFunction:
    """`check` for an unknown key: what it cannot accept goes to `_budgeted` with its object."""

    def check_key(value: Any, info: core_schema.ValidationInfo) -> Any:
        checked = check(value)
        return _budgeted(value, strict, info.data) if checked is _LATER else checked

    return check_key


# Why not a pure pydantic-core schema on JSON input (strict leaves, finite floats, a few levels of
# containers) with this check only where it refuses: measured by bench/bench_core.py (`core only`,
# `core, then exact`, `core | exact`), no such shape is both exact and faster. The schema alone,
# which cannot get back to the exact validator, reads the benchmark's documents no faster than this
# check (1.00x: strings gain a tenth, containers lose a fifth to a quarter; a smart union is slower). The
# way back that keeps errors exact is a wrap validator, which makes the Python call anyway and
# converts the input first (0.80x). A union of the schema and the exact path is fast (0.99x) but
# not exact: when every member fails pydantic-core reports each member's errors under its name (a
# NaN gives eight errors, not one at "number"), and `PydanticUseDefault` with a revalidated default
# goes back through the same union. tests/test_source_value.py pins that union behaviour.
def _source_value_core_schema(per_object: bool = False) -> core_schema.CoreSchema:
    """`Any`, checked by one Python call. For Python input, `lax_or_strict` keeps `strict=True`
    validation strict (a tuple is then not an array) where the exact validator decides.

    With `per_object` (unknown keys, and any `SourceValue` that is not a named field), the checks
    also get the object being validated, whose keys share one error budget.
    """
    read = core_schema.any_schema()
    if per_object:
        json_check = core_schema.with_info_after_validator_function(_with_budget(_json_checker(_later), False), read)
        lax = core_schema.with_info_after_validator_function(_with_budget(_checker(False, _later), False), read)
        strict = core_schema.with_info_after_validator_function(_with_budget(_checker(True, _later), True), read)
    else:
        json_check = core_schema.no_info_after_validator_function(_json_checker(_bounded), read)
        lax = core_schema.no_info_after_validator_function(_checker(False, _bounded), read)
        strict = core_schema.no_info_after_validator_function(_checker(True, _bounded), read)
    return core_schema.json_or_python_schema(
        json_schema=json_check, python_schema=core_schema.lax_or_strict_schema(lax_schema=lax, strict_schema=strict)
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
            # A named field is one value; the values of unknown keys (no field name) are many.
            return _source_value_core_schema(per_object=handler.field_name is None)

        @classmethod
        def __get_pydantic_json_schema__(
            cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
        ) -> JsonSchemaValue:
            return _source_value_json_schema(schema, handler)
