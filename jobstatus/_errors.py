"""The one bound on how many errors a document reports, and the helper that applies it.

Every JSON value is checked by `SourceValue`, and a hostile one can hold an error every few bytes
(`[NaN, NaN, ...]`: a quarter of a million errors per megabyte). Reporting them all would cost far
more time and memory than validating a valid document of the same size, so validation stops
collecting at `MAX_ERRORS` and ends with one error of type `too_many_errors` whose context says how
many more there were (`more`), counted without being built.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

__all__ = ("MAX_ERRORS", "TOO_MANY_ERRORS", "capped_errors", "too_many_errors")

MAX_ERRORS: Final = 100
"""The most errors reported for one document; past it, one `too_many_errors` error counts the rest.

Inside a model, the bound holds for `source_value` (and any other `SourceValue` field) and, apart,
for the unknown keys of each object together: a status object's `ValidationError` holds at most
`2 * MAX_ERRORS + 3` errors (`value`, `source_value` and its count, the unknown keys and their
count). Everything that reports errors (`validate_lines`, `summarize_lines`, the command line, the
FastAPI 422) cuts a document's errors to exactly `MAX_ERRORS` with `capped_errors`.
"""

TOO_MANY_ERRORS: Final = "too_many_errors"
"""The error type that ends a capped list of errors; its context holds `more` and `max_errors`."""

_TEMPLATE: Final = "{more} more errors not reported: validation stops collecting at {max_errors} errors"


def too_many_errors(more: int, limit: int = MAX_ERRORS) -> PydanticCustomError:
    """The `too_many_errors` error that says `more` errors were found past `limit`.

    ```python
    from jobstatus import too_many_errors

    error = too_many_errors(3)
    assert (error.type, error.context) == ("too_many_errors", {"more": 3, "max_errors": 100})
    assert error.message() == "3 more errors not reported: validation stops collecting at 100 errors"
    ```
    """
    return PydanticCustomError(TOO_MANY_ERRORS, _TEMPLATE, {"more": more, "max_errors": limit})


def capped_errors(
    error: ValidationError,
    *,
    limit: int = MAX_ERRORS,
    include_url: bool = True,
    include_context: bool = True,
    include_input: bool = True,
) -> tuple[list[ErrorDetails], int]:
    """The first `limit` errors of `error` (without its `too_many_errors` entries) and how many more
    there were: the errors past `limit` plus every `more` that a `too_many_errors` entry counted.

    The keyword arguments are those of `ValidationError.errors()`.

    ```python
    from pydantic import ValidationError
    from jobstatus import MAX_ERRORS, JobStatus, capped_errors

    try:
        JobStatus.model_validate_json('{"source_value": [' + ", ".join(["NaN"] * 1000) + "]}")
    except ValidationError as error:
        errors, dropped = capped_errors(error, include_input=False)
    assert len(errors) == MAX_ERRORS and dropped == 1000 - MAX_ERRORS
    assert errors[0]["loc"] == ("source_value", "array", 0, "number")
    ```
    """
    details = error.errors(include_url=include_url, include_context=True, include_input=include_input)
    kept: list[ErrorDetails] = []
    dropped = 0
    for detail in details:
        if detail["type"] == TOO_MANY_ERRORS:
            context: dict[str, Any] = detail.get("ctx", {})
            dropped += int(context.get("more", 0))
            continue
        if len(kept) == limit:
            dropped += 1
            continue
        if not include_context:
            detail.pop("ctx", None)
        kept.append(detail)
    return kept, dropped
