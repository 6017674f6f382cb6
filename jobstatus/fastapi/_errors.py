"""Error answers that always render: the 422 echo made JSON-safe and bounded, and response errors
answered without their input.

FastAPI's default 422 handler echoes each error's `input` through a strict JSON encoder, so an input
that JSON text cannot carry (`NaN`, `Infinity`, `1e400`, a lone surrogate from an escaped `"\\ud800"`)
turns the 422 into a 500, and a huge input is echoed whole. `echo_errors` writes every error so that
it always encodes, within fixed bounds:

- non-finite numbers become the text `"NaN"`, `"Infinity"`, `"-Infinity"`;
- a lone surrogate in any string (input, object key, `loc`, `msg`, `ctx`) becomes the six
  characters of its escape, `\\ud800` (a literal backslash and `u`); other characters are kept;
- a string is cut to `MAX_ECHOED_STRING` characters followed by `…`;
- an echoed container is cut to `MAX_ECHOED_NODES` values in all, its deeper levels past
  `MAX_ECHOED_DEPTH` replaced by `"…"` (a cut list ends with `"…"`, a cut object with the key `"…"`);
- at most `MAX_ECHOED_ERRORS` (the core's `MAX_ERRORS`) errors are listed, then one `too_many_errors`
  entry, as the core writes it, counts the rest (those past the bound and those the core already
  counted in its own `too_many_errors` entries).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any, Final

from fastapi import Request
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.responses import JSONResponse

from jobstatus._errors import MAX_ERRORS, TOO_MANY_ERRORS, too_many_errors

__all__ = (
    "MAX_ECHOED_DEPTH",
    "MAX_ECHOED_ERRORS",
    "MAX_ECHOED_NODES",
    "MAX_ECHOED_STRING",
    "echo_errors",
    "request_validation_handler",
    "response_validation_handler",
)

MAX_ECHOED_ERRORS: Final[int] = MAX_ERRORS
"""The most errors a 422 lists: the core's bound on errors per document (`jobstatus.MAX_ERRORS`)."""
MAX_ECHOED_STRING: Final = 256
"""The most characters of one echoed string (input, key, `msg`); the rest is replaced by `…`."""
MAX_ECHOED_NODES: Final = 100
"""The most values echoed of one error's `input` (and of its `ctx`), counted over every level."""
MAX_ECHOED_DEPTH: Final = 8
"""The deepest level of an echoed input; deeper containers are echoed as `"…"`."""

ELLIPSIS: Final = "…"
_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
# Past this many bits an integer has more than the ~1,200 digits worth echoing (and `str()` of one
# past 4,300 digits raises); it is echoed as a sentence instead.
_MAX_ECHOED_INT_BITS = 4000

_logger = logging.getLogger("jobstatus.fastapi")


def _text(value: str, limit: int = MAX_ECHOED_STRING) -> str:
    if len(value) > limit:
        value = value[:limit] + ELLIPSIS
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Only lone surrogates fail to encode: each becomes its `\\uXXXX` escape, as six characters.
        value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _scalar(value: Any) -> Any:
    """A value that is not a container, as strict JSON can carry it."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):  # also str enums: their text
        return _text(str(value))
    if isinstance(value, int):
        if value.bit_length() > _MAX_ECHOED_INT_BITS:
            return f"{ELLIPSIS} (an integer of {value.bit_length()} bits)"
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else _NON_FINITE[repr(float(value))]
    if isinstance(value, (bytes, bytearray)):
        return _text(bytes(value[: MAX_ECHOED_STRING * 4]).decode("utf-8", "backslashreplace"))
    if isinstance(value, Enum):
        return _scalar(value.value)
    return _text(str(value))


def _key(key: Any) -> str:
    return _text(key) if isinstance(key, str) else str(_scalar(key))


def echo(value: Any) -> Any:
    """`value` made strict-JSON-safe and bounded as the module says; iterative, so any depth is safe.

    ```python
    from jobstatus.fastapi import echo

    assert echo({"a": [float("nan"), "\\ud800x"]}) == {"a": ["NaN", "\\\\ud800x"]}
    assert echo("x" * 300) == "x" * 256 + "…"
    ```
    """
    if not isinstance(value, (Mapping, list, tuple)):
        return _scalar(value)
    budget = MAX_ECHOED_NODES + 1  # the input itself is one more value
    root: list[Any] = []
    # Each entry: (source container, output container, depth); a list entry of the root is filled last.
    pending: list[tuple[Any, Any, int]] = [([value], root, 0)]
    while pending:
        source, target, depth = pending.pop()
        items: Iterable[tuple[Any, Any]] = source.items() if isinstance(source, Mapping) else enumerate(source)
        for key, item in items:
            if budget <= 0:
                if isinstance(target, dict):
                    target[ELLIPSIS] = ELLIPSIS
                else:
                    target.append(ELLIPSIS)
                break
            budget -= 1
            if isinstance(item, (Mapping, list, tuple)):
                if depth >= MAX_ECHOED_DEPTH:
                    out: Any = ELLIPSIS
                else:
                    out = {} if isinstance(item, Mapping) else []
                    pending.append((item, out, depth + 1))
            else:
                out = _scalar(item)
            if isinstance(target, dict):
                target[_key(key)] = out
            else:
                target.append(out)
    return root[0]


def _loc(loc: Sequence[Any]) -> list[Any]:
    return [item if isinstance(item, int) and not isinstance(item, bool) else _key(item) for item in loc]


def echo_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Errors as FastAPI lists them in a 422 (`type`, `loc`, `msg`, `input`, `ctx`...), made safe to encode.

    ```python
    from jobstatus.fastapi import MAX_ECHOED_ERRORS, echo_errors

    errors = [{"type": "finite_number", "loc": ("body", "x"), "msg": "Input should be a finite number",
               "input": float("inf")}] * (MAX_ECHOED_ERRORS + 5)
    echoed = echo_errors(errors)
    assert echoed[0]["input"] == "Infinity" and echoed[0]["loc"] == ["body", "x"]
    assert echoed[-1]["type"] == "too_many_errors" and echoed[-1]["ctx"] == {"more": 5, "max_errors": 100}
    ```
    """
    echoed: list[dict[str, Any]] = []
    more = 0
    for error in errors:
        if error.get("type") == TOO_MANY_ERRORS:  # the core's own count of what it did not build
            context = error.get("ctx")
            more += int(context.get("more", 0)) if isinstance(context, Mapping) else 0
            continue
        if len(echoed) == MAX_ECHOED_ERRORS:
            more += 1
            continue
        entry: dict[str, Any] = {}
        for name, item in error.items():
            if name == "loc":
                entry[name] = _loc(item)
            elif name == "msg":
                entry[name] = _text(str(item), MAX_ECHOED_STRING * 4)
            else:
                entry[_key(name)] = echo(item)
        echoed.append(entry)
    if more:
        count = too_many_errors(more, MAX_ECHOED_ERRORS)
        echoed.append({"type": count.type, "loc": [], "msg": count.message(), "input": None, "ctx": count.context})
    return echoed


async def request_validation_handler(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422, `{"detail": [...]}`, with every error echoed by `echo_errors`."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(status_code=422, content={"detail": echo_errors(exc.errors())})


async def response_validation_handler(request: Request, exc: Exception) -> JSONResponse:
    """A route returned what its response model refuses: the server's fault, so still a 500, but as
    JSON with no input and no traceback in the body; one log line names the route and the errors'
    types and locations (never their input)."""
    assert isinstance(exc, ResponseValidationError)
    errors = exc.errors()
    shown = "; ".join(f"{error.get('type')} at {_loc(error.get('loc', ()))}" for error in errors[:5])
    _logger.error(
        "%s %s returned an invalid response (%d errors: %s)", request.method, request.url.path, len(errors), shown
    )
    return JSONResponse(status_code=500, content={"detail": "Internal Server Error"})
