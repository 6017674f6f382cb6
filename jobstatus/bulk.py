"""Validate NDJSON of any size, in bounded memory and in batches, line by line results.

`validate_lines` reads an iterable of lines (a file opened in binary mode, a list, a generator)
and yields one `ValidLine` or `InvalidLine` per non-blank line, in order, as it goes: at most
`batch_size` lines and their documents are held at once, so memory does not grow with the input.
`summarize_lines` counts the same results into a `BulkSummary`, which merges with the summaries
of other shards. Both are plain module-level functions of picklable arguments, so they run
unchanged in worker processes (`multiprocessing`, `concurrent.futures`, Dask).

```python
from jobstatus import JobStatusValue
from jobstatus.bulk import InvalidLine, ValidLine, validate_lines

lines = [b'{"value": "On Hold"}\\n', b"\\n", b'{"value": 5}\\n']
first, second = validate_lines(lines)
assert isinstance(first, ValidLine) and first.document.value is JobStatusValue.ON_HOLD
assert isinstance(second, InvalidLine) and second.line == 3
assert second.errors[0]["loc"] == ("value",) and second.errors[0]["type"] == "status_value_type"
```

Every line is validated on its own, exactly as `model_validate_json(line)` would (the same
document, or the same errors), by a loop that runs in C: lines are read `batch_size` at a time
and the validator is mapped over them, so no Python code runs between two valid lines.
Validating a batch as one JSON array (`[line,line,...]`) was measured slower, because a batch's
documents all stay alive at once, and it is not exact without extra checks: the lines
`{"a":[1`, `2]}` and `{},{}` make a valid array of three documents.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from itertools import count, islice
from operator import attrgetter, length_hint
from typing import TYPE_CHECKING, Any, Final, Generic, TypeAlias, TypedDict, Union, overload

from pydantic import BaseModel, TypeAdapter, ValidationError
from typing_extensions import TypeVar

from . import _fast
from ._errors import MAX_ERRORS, TOO_MANY_ERRORS, capped_errors
from ._models import JobStatus
from ._unified import UnifiedStatus, UnifiedValue
from ._values import JobPostingStatusValue, JobStatusValue, fold_status

if TYPE_CHECKING:
    from .webhooks import WebhookEnvelope

__all__ = (
    "MAX_UNKNOWN_SPELLINGS",
    "MAX_UNKNOWN_SPELLING_LENGTH",
    "NO_VALUE",
    "UNKNOWN_VALUE",
    "BulkSummary",
    "DocumentModel",
    "InvalidLine",
    "LineError",
    "LineResult",
    "ValidLine",
    "summarize_lines",
    "validate_lines",
    "value_key",
)

DocumentModel: TypeAlias = Union[type[BaseModel], TypeAdapter[Any]]
"""What a line is validated as: a model class, or a `TypeAdapter` whose values are models (such
as `jobstatus.webhooks.WEBHOOK_EVENT_ADAPTER`, a union of event models)."""

DocumentT = TypeVar("DocumentT", bound=BaseModel, covariant=True, default=BaseModel)
"""The model of a `ValidLine`'s document: `validate_lines(lines, model=M)` yields `ValidLine[M]`."""
_ModelT = TypeVar("_ModelT", bound=BaseModel)


class LineError(TypedDict):
    """One validation error of a line: pydantic's `loc`, `type` and `msg`, without the input.

    The input is left out so that an error never holds a copy of a (possibly huge) line.
    """

    loc: tuple[int | str, ...]
    type: str
    msg: str


@dataclass(frozen=True, slots=True)
class ValidLine(Generic[DocumentT]):
    """A line that validated: its number and its document, an instance of the model it was read as.

    ```python
    from jobstatus import JobStatus
    from jobstatus.bulk import ValidLine

    result = ValidLine(7, JobStatus(value="open"))
    assert result.document.model_dump_json(exclude_unset=True) == '{"value":"open"}'
    ```
    """

    line: int
    document: DocumentT


@dataclass(frozen=True, slots=True)
class InvalidLine:
    """A line that did not validate: its number and its errors, in pydantic's order.

    ```python
    import json
    from jobstatus.bulk import InvalidLine, validate_lines

    [result] = validate_lines(['{"value": "open"'], first_line=4)
    assert isinstance(result, InvalidLine) and result.line == 4
    assert result.errors[0]["type"] == "json_invalid"
    json.dumps(result.errors)  # plain data: picklable and JSON-able
    ```
    """

    line: int
    errors: list[LineError]


LineResult: TypeAlias = Union[ValidLine[DocumentT], InvalidLine]
"""What `validate_lines` yields for each non-blank line."""

# Constructing a frozen dataclass goes through `object.__setattr__` once per field, which costs as
# much as a fifth of validating a small document; results made in bulk set the slots directly.
_new = object.__new__
_set_valid_line: Callable[[ValidLine[Any], int], None] = vars(ValidLine)["line"].__set__
_set_valid_document: Callable[[ValidLine[Any], BaseModel], None] = vars(ValidLine)["document"].__set__


def _valid(document: BaseModel, line: int) -> ValidLine[Any]:
    result: ValidLine[Any] = _new(ValidLine)
    _set_valid_line(result, line)
    _set_valid_document(result, document)
    return result


def _line_errors(error: ValidationError) -> list[LineError]:
    """At most `MAX_ERRORS` errors, then one `too_many_errors` that counts the rest."""
    details, dropped = capped_errors(error, include_url=False, include_context=False, include_input=False)
    errors: list[LineError] = [
        {"loc": detail["loc"], "type": detail["type"], "msg": detail["msg"]} for detail in details
    ]
    if dropped:
        message = f"{dropped} more errors not reported: validation stops collecting at {MAX_ERRORS} errors"
        errors.append({"loc": (), "type": TOO_MANY_ERRORS, "msg": message})
    return errors


# ------------------------------------------------------------------------------------------------
# The loop: lines are validated one by one, but in C
# ------------------------------------------------------------------------------------------------

_JSON_WHITESPACE_BYTES: Final = b" \t\r\n"
_JSON_WHITESPACE_TEXT: Final = " \t\r\n"


def _is_blank(text: bytes | str) -> bool:
    # JSON whitespace only: a line holding a form feed is not blank, it is invalid JSON.
    if isinstance(text, str):
        return not text.strip(_JSON_WHITESPACE_TEXT)
    return not text.strip(_JSON_WHITESPACE_BYTES)


# The provider tables and the webhook models are imported where they are used, not with this
# module: status documents without a provider never need them, and `jobstatus validate` starts
# about a twentieth faster without them (bench/bench_cli.py counts the start).
_WEBHOOKS: Final = f"{__package__}.webhooks"


def _validator(model: DocumentModel, provider: str | None) -> Callable[[Any], Any]:
    if provider is not None:
        from .providers import validate_with_provider

        return partial(validate_with_provider, provider=provider, model=model)
    if _WEBHOOKS in sys.modules:  # else no webhook adapter exists yet
        from .webhooks import WEBHOOK_EVENT_ADAPTER, validate_webhook_event

        if model is WEBHOOK_EVENT_ADAPTER:
            return validate_webhook_event  # the adapter's own answers, documented event types faster
    if isinstance(model, TypeAdapter):
        return model.validator.validate_json
    if isinstance(model, type) and issubclass(model, BaseModel):
        # The validator itself, not `model_validate_json`: the classmethod's Python wrapper costs
        # about a fifth of validating a small document.
        return model.__pydantic_validator__.validate_json
    raise TypeError(f"model must be a pydantic model class or a TypeAdapter; got {model!r}")


def _check_provider(model: DocumentModel, provider: str) -> None:
    enums = {JobStatusValue, JobPostingStatusValue}
    value = model.model_fields.get("value") if isinstance(model, type) and issubclass(model, UnifiedStatus) else None
    if value is None or not any(isinstance(marker, UnifiedValue) and marker.enum in enums for marker in value.metadata):
        raise ValueError(
            f"provider inference needs a job status or job posting status model (see STATUS_MODELS); got {model!r}"
        )
    from .providers import provider_table

    provider_table(provider)  # an unknown provider fails now, not at the first line


def _check(model: DocumentModel, provider: str | None, batch_size: int) -> Callable[[Any], Any]:
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    if provider is not None:
        _check_provider(model, provider)
    return _validator(model, provider)


def _failure(error: ValidationError, chunk: list[Any], position: int, number: int) -> InvalidLine | None:
    """The result of a line that failed: `None` for a blank line, which is only skipped."""
    if _is_blank(chunk[position]):
        return None
    return InvalidLine(number, _line_errors(error))


def _chunks(lines: Iterable[bytes | str], batch_size: int, first_line: int) -> Iterator[tuple[int, list[Any]]]:
    source = iter(lines)
    first = first_line
    while chunk := list(islice(source, batch_size)):
        yield first, chunk
        first += len(chunk)


_FailureT = TypeVar("_FailureT", bound=Exception)


def _resumed(
    consume: Callable[[Iterator[Any]], object], chunk: list[Any], failure: type[_FailureT]
) -> Iterator[tuple[int, _FailureT]]:
    """Run `consume` over an iterator of `chunk`'s items, resuming after each item it fails on.

    `consume` maps in C (`keys.update(map(validate, items))`): no Python frame per item. When an
    item raises `failure`, the map stops with the iterator just past it; that item's position and
    its error are yielded, and `consume` runs again on the rest. The summaries, the command line's
    writer and the accelerator's screen use it; `_results` writes it out to yield as it goes.
    """
    items = iter(chunk)
    while True:
        try:
            consume(items)
            return
        except failure as error:
            yield len(chunk) - length_hint(items) - 1, error


def _results(
    validate: Callable[[Any], Any], lines: Iterable[bytes | str], batch_size: int, first_line: int
) -> Iterator[LineResult[Any]]:
    # `_resumed`'s loop, written out so that each result is yielded as it is made: collecting a
    # batch's results first keeps them all alive, which costs the collector more than the loop
    # itself (bench/bench_peers.py, `validate_lines` with the accelerator off).
    for first, chunk in _chunks(lines, batch_size, first_line):
        texts = iter(chunk)
        # `map` validates a line before it takes its number, so a failed line takes none.
        numbers = count(first)
        while True:
            try:
                yield from map(_valid, map(validate, texts), numbers)
                break
            except ValidationError as error:
                position = len(chunk) - length_hint(texts) - 1
                failure = _failure(error, chunk, position, next(numbers))
                if failure is not None:
                    yield failure


# ------------------------------------------------------------------------------------------------
# The public functions
# ------------------------------------------------------------------------------------------------


@overload
def validate_lines(
    lines: Iterable[bytes | str], *, provider: str | None = None, batch_size: int = 1000, first_line: int = 1
) -> Iterator[LineResult[JobStatus]]: ...
@overload
def validate_lines(
    lines: Iterable[bytes | str],
    *,
    model: type[_ModelT] | TypeAdapter[_ModelT],
    provider: str | None = None,
    batch_size: int = 1000,
    first_line: int = 1,
) -> Iterator[LineResult[_ModelT]]: ...
def validate_lines(
    lines: Iterable[bytes | str],
    *,
    model: DocumentModel = JobStatus,
    provider: str | None = None,
    batch_size: int = 1000,
    first_line: int = 1,
) -> Iterator[LineResult[Any]]:
    """Validate each non-blank line as one JSON document; yield its result, in order, lazily.

    Lines are read `batch_size` at a time and validated as a batch (see the module docstring), so
    memory holds at most one batch of lines and documents, whatever the length of the input.
    Every result is exactly what validating that line alone gives: the same document, or the same
    errors (`loc` starts at the document, not at the batch). A blank line (JSON whitespace only)
    yields nothing but still counts in the numbering.

    Args:
        lines: `bytes` or `str` lines, with or without their line ends; a file opened in binary
            mode works as it is.
        model: a model class (`JobStatus` by default, see `STATUS_MODELS` for the others) or a
            `TypeAdapter` whose values are models, such as `webhooks.WEBHOOK_EVENT_ADAPTER`.
        provider: a provider id: a document whose `value` is missing, null, unmapped or unknown
            gets one inferred from its `source_value` (`validate_with_provider`); job status and
            job posting status models only.
        batch_size: how many lines are read and validated at once.
        first_line: the number of the first line (a shard of a larger file starts further on).

    Raises:
        ValueError: `batch_size` is not positive, or `provider` is given with a model that is not
            a job status or job posting status model.
        UnknownProviderError: `provider` names no registered table.

    Errors are raised when `validate_lines` is called, before any line is read.

    ```python
    from jobstatus import JobStatusValue, UnmappedJobStatus
    from jobstatus.bulk import InvalidLine, validate_lines

    lines = [b'{"value": "open"}\\n', b"\\n", b'{"value": "Frozen"}\\n', b'{"value": "open"\\n']
    valid, frozen, truncated = validate_lines(lines, model=UnmappedJobStatus, batch_size=2)
    assert (frozen.line, frozen.document.value) == (3, JobStatusValue.UNMAPPED_VALUE)
    assert isinstance(truncated, InvalidLine) and truncated.errors[0]["type"] == "json_invalid"

    [inferred] = validate_lines(['{"source_value": "Frozen"}'], provider="workday")
    assert inferred.document.value is JobStatusValue.ON_HOLD
    ```
    """
    validate = _check(model, provider, batch_size)
    if _fast.accelerated(model):
        return _fast.validate_lines(validate, _chunks(lines, batch_size, first_line), model, provider)
    return _results(validate, lines, batch_size, first_line)


NO_VALUE: Final = "(none)"
"""The `value_counts` key of a document whose status `value` is missing or null."""
UNKNOWN_VALUE: Final = "(unknown)"
"""The `value_counts` key of a status `value` that is a string naming no member (open policy)."""

MAX_UNKNOWN_SPELLINGS: Final = 100
"""The most distinct unknown values a `BulkSummary` counts apart (by their folded key); the others are
counted together in `other_unknown`, so a summary's memory does not grow with the data's variety."""
MAX_UNKNOWN_SPELLING_LENGTH: Final = 64
"""The longest folded key counted apart; a longer unknown value is counted in `other_unknown`."""

_VALUE = attrgetter("value")


def _status_key(value: Any) -> str:
    if value is None:
        return NO_VALUE
    if isinstance(value, Enum):
        return str(value.value)
    return UNKNOWN_VALUE


def value_key(document: BaseModel) -> str:
    """The `value_counts` key of a document: its status value, `NO_VALUE` or `UNKNOWN_VALUE`.

    A status object counts under its `value`; a webhook event under the status in its `data`
    (`job_status` of a job, `status` of a job posting, where a plain string counts as unknown),
    and an event without one, like any other document, under `NO_VALUE`.

    ```python
    from jobstatus import JobStatus
    from jobstatus.bulk import value_key

    assert value_key(JobStatus(value="On Hold")) == "on_hold"
    assert value_key(JobStatus(value="Frozen")) == "(unknown)"
    assert value_key(JobStatus()) == "(none)"
    ```
    """
    if isinstance(document, UnifiedStatus):
        return _status_key(getattr(document, "value", None))
    # A webhook event names its own status (`record_status`: a job's `job_status`, a posting's `status`).
    # Read from the loaded module, not imported: no webhook event exists before it is, and an
    # `import` statement here ran once per document counted.
    envelope: type[WebhookEnvelope] | None = getattr(sys.modules.get(_WEBHOOKS), "WebhookEnvelope", None)
    status = document.record_status if envelope is not None and isinstance(document, envelope) else None
    if isinstance(status, UnifiedStatus):
        return _status_key(getattr(status, "value", None))
    return NO_VALUE if status is None else UNKNOWN_VALUE  # a posting's plain-string status is unknown


@dataclass
class BulkSummary:
    """Counts of validated lines: valid, invalid, per status value, and the first errors.

    `value_counts` keys are the values' strings (`"on_hold"`), `NO_VALUE` for a missing or null
    value and `UNKNOWN_VALUE` for a kept unknown string, in sorted order in the summaries that
    `summarize_lines` and `merge` make (whichever path counted them). Unknown strings are also counted by their
    folded key (`fold_status`) in `unknown_spellings`, at most `MAX_UNKNOWN_SPELLINGS` keys of at
    most `MAX_UNKNOWN_SPELLING_LENGTH` characters; the others are counted in `other_unknown`. At most
    `max_errors` invalid lines are kept; `invalid` counts them all. So memory stays bounded whatever
    the data. Summaries of shards `merge`.

    ```python
    from jobstatus.bulk import BulkSummary, summarize_lines

    first = summarize_lines(['{"value": "open"}', '{"value": 1}'])
    second = summarize_lines(['{"value": "Open"}', "{}"], first_line=3)
    total = first.merge(second)
    assert (total.valid, total.invalid) == (3, 1)
    assert total.value_counts == {"open": 2, "(none)": 1}
    assert [error.line for error in total.errors] == [2]
    ```
    """

    valid: int = 0
    invalid: int = 0
    value_counts: Counter[str] = field(default_factory=Counter)
    errors: list[InvalidLine] = field(default_factory=list)
    max_errors: int = 100
    unknown_spellings: Counter[str] = field(default_factory=Counter)
    other_unknown: int = 0

    def count_unknown(self, value: str, number: int = 1) -> None:
        """Count `number` documents whose `value` is the unknown string `value`, by its folded key.

        ```python
        from jobstatus.bulk import BulkSummary

        summary = BulkSummary()
        summary.count_unknown("Frozen - Q3")
        summary.count_unknown("frozen_q3", 2)
        summary.count_unknown("x" * 1000)  # too long to count apart
        assert (summary.unknown_spellings, summary.other_unknown) == ({"frozen_q3": 3}, 1)
        ```
        """
        key = fold_status(value[: MAX_UNKNOWN_SPELLING_LENGTH * 4])  # folding never needs more
        spellings = self.unknown_spellings
        if len(key) <= MAX_UNKNOWN_SPELLING_LENGTH and (key in spellings or len(spellings) < MAX_UNKNOWN_SPELLINGS):
            spellings[key] += number
        else:
            self.other_unknown += number

    def add(self, result: LineResult) -> None:
        """Count one result.

        ```python
        from jobstatus import JobStatus
        from jobstatus.bulk import BulkSummary, InvalidLine, ValidLine

        summary = BulkSummary(max_errors=1)
        summary.add(ValidLine(1, JobStatus(value="draft")))
        summary.add(InvalidLine(2, [{"loc": (), "type": "json_invalid", "msg": "Invalid JSON"}]))
        summary.add(InvalidLine(3, [{"loc": (), "type": "json_invalid", "msg": "Invalid JSON"}]))
        assert (summary.valid, summary.invalid, len(summary.errors)) == (1, 2, 1)
        ```
        """
        if isinstance(result, ValidLine):
            self.valid += 1
            key = value_key(result.document)
            self.value_counts[key] += 1
            value = getattr(result.document, "value", None)
            if key == UNKNOWN_VALUE and isinstance(value, str) and not isinstance(value, Enum):
                self.count_unknown(value)
        else:
            self.invalid += 1
            if len(self.errors) < self.max_errors:
                self.errors.append(result)

    def merge(self, other: BulkSummary) -> BulkSummary:
        """A new summary counting both; errors in order, this one's first, within `max_errors`.

        ```python
        from jobstatus.bulk import BulkSummary
        from collections import Counter

        total = BulkSummary(2, 0, Counter(open=2)).merge(BulkSummary(1, 0, Counter(open=1, draft=1)))
        assert total.value_counts == {"open": 3, "draft": 1}
        ```
        """
        total = BulkSummary(
            valid=self.valid + other.valid,
            invalid=self.invalid + other.invalid,
            value_counts=_sorted(self.value_counts + other.value_counts),
            errors=[*self.errors, *other.errors][: self.max_errors],
            max_errors=self.max_errors,
            unknown_spellings=self.unknown_spellings.copy(),
            other_unknown=self.other_unknown + other.other_unknown,
        )
        for key, number in other.unknown_spellings.items():
            total.count_unknown(key, number)  # a folded key folds to itself
        return total


def summarize_lines(
    lines: Iterable[bytes | str],
    *,
    model: DocumentModel = JobStatus,
    provider: str | None = None,
    batch_size: int = 1000,
    max_errors: int = 100,
    first_line: int = 1,
) -> BulkSummary:
    """Validate lines as `validate_lines` does and count the results into a `BulkSummary`.

    A plain module-level function of picklable arguments, so shards of a file can be summarized in
    worker processes and their summaries merged.

    ```python
    from concurrent.futures import ProcessPoolExecutor
    from functools import reduce
    from jobstatus.bulk import BulkSummary, summarize_lines

    shards = [['{"value": "open"}', '{"value": "on hold"}'], ['{"value": "nope", "source_value": 1}']]
    with ProcessPoolExecutor(max_workers=2) as pool:
        summaries = list(pool.map(summarize_lines, shards))
    total = reduce(BulkSummary.merge, summaries)
    assert (total.valid, total.invalid) == (3, 0)
    assert total.value_counts == {"open": 1, "on_hold": 1, "(unknown)": 1}
    ```
    """
    validate = _check(model, provider, batch_size)
    if _fast.accelerated(model):
        accelerated = BulkSummary(max_errors=max_errors)
        _fast.summarize_lines(validate, _chunks(lines, batch_size, first_line), model, provider, accelerated)
        accelerated.value_counts = _sorted(accelerated.value_counts)
        return accelerated
    # Status documents are counted by their value objects, in C, and named once at the end.
    by_status = isinstance(model, type) and issubclass(model, UnifiedStatus) and "value" in model.model_fields
    key: Callable[[Any], Any] = _VALUE if by_status else value_key
    keys: Counter[Any] = Counter()
    unknown = 0
    summary = BulkSummary(max_errors=max_errors)
    for first, chunk in _chunks(lines, batch_size, first_line):
        for position, error in _resumed(
            lambda texts: keys.update(map(key, map(validate, texts))), chunk, ValidationError
        ):
            failure = _failure(error, chunk, position, first + position)
            if failure is not None:
                summary.add(failure)
        if by_status:
            # Unknown strings leave the counter after each batch, folded into the bounded one: the
            # counter then holds the members and at most one batch of raw strings.
            for value in [value for value in keys if type(value) is str]:
                number = keys.pop(value)
                summary.value_counts[UNKNOWN_VALUE] += number
                summary.count_unknown(value, number)
                unknown += number
    for value, number in keys.items():
        summary.value_counts[_status_key(value) if by_status else value] += number
    summary.valid = keys.total() + unknown
    summary.value_counts = _sorted(summary.value_counts)
    return summary


def _sorted(counts: Counter[str]) -> Counter[str]:
    """`counts` in key order: the same summary iterates (and breaks `most_common` ties) the same
    way whichever path, accelerated or exact, counted it."""
    return Counter(dict(sorted(counts.items())))
