"""The optional accelerator of bulk validation: msgspec screens each line, pydantic decides the rest.

Installed with the `jobstatus[fast]` extra, it is used by `bulk.validate_lines`,
`bulk.summarize_lines` and `jobstatus validate` for the six status models (`STATUS_MODELS`, every
policy, with or without a provider) whenever msgspec can be imported, unless the environment
variable `JOBSTATUS_NO_ACCELERATOR` is set to anything but `""` or `"0"`. Other models (webhook
events, list pages, subclasses) always take the exact path.

Each line is decoded by a msgspec `Struct` that accepts a strict subset of what the models accept:
no key but `value` and `source_value`; `value` a string or null; `source_value` a JSON value at most
`FAST_DEPTH` containers deep whose floats are finite. A line the Struct refuses, for any reason
(invalid JSON, a NaN, a lone surrogate, an unknown key, a deep value, a blank line), is validated
alone by the exact pydantic path, so its result and its errors are exactly today's. The raw
`value` strings of accepted lines are resolved once per distinct string by the model itself
(`model_validate({"value": raw})`), so spellings, folding and policies are the model's own; a
string the model refuses (the strict policy's unknown values) sends its lines to the exact path too.

msgspec reads integers of up to `sys.get_int_max_str_digits()` digits, pydantic's parser up to
4,300 whatever that limit: while the limit is anything but the default 4,300, the Struct takes
only 64-bit integers and longer ones go to the exact path.

```python
from jobstatus import JobStatus
from jobstatus._fast import accelerated, fast_available

from jobstatus.webhooks import WEBHOOK_EVENT_ADAPTER

assert accelerated(JobStatus) is fast_available()
assert not accelerated(WEBHOOK_EVENT_ADAPTER)  # always the exact path
```
"""

from __future__ import annotations

import gc
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from functools import partial
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Annotated, Any, Final, TypeGuard, Union

from pydantic import BaseModel, ValidationError
from pydantic_core import to_json

from ._models import STATUS_MODELS
from ._unified import UnifiedStatus, UnifiedValue

if TYPE_CHECKING:
    from .bulk import BulkSummary, LineResult

try:
    import msgspec
except ImportError:  # pragma: no cover - the `fast` extra is installed wherever tests run
    msgspec = None  # type: ignore[assignment]

__all__ = ("DISABLE_VARIABLE", "FAST_DEPTH", "accelerated", "fast_available")

DISABLE_VARIABLE: Final = "JOBSTATUS_NO_ACCELERATOR"
"""Set to anything but `""` or `"0"`, bulk validation never uses the accelerator."""

FAST_DEPTH: Final = 3
"""The deepest `source_value` container the Struct takes (`[[[1]]]`); deeper ones go to the exact path."""

_DEFAULT_INT_DIGITS: Final = 4300
_MODELS: Final = frozenset(model for policies in STATUS_MODELS.values() for model in policies.values())


def fast_available() -> bool:
    """Whether msgspec is importable and the accelerator is not turned off by `DISABLE_VARIABLE`."""
    return msgspec is not None and os.environ.get(DISABLE_VARIABLE, "") in ("", "0")


def accelerated(model: Any) -> TypeGuard[type[UnifiedStatus]]:
    """Whether lines of `model` are screened by the accelerator (see the module docstring)."""
    return fast_available() and model in _MODELS


# ------------------------------------------------------------------------------------------------
# The Structs
# ------------------------------------------------------------------------------------------------


def _struct(bounded_integers: bool) -> type[Any]:
    finite = msgspec.Meta(ge=-sys.float_info.max, le=sys.float_info.max)
    integer: Any = int
    if bounded_integers:
        integer = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
    leaf: Any = Union[str, integer, Annotated[float, finite], bool, None]
    level = leaf
    for _ in range(FAST_DEPTH):
        level = Union[str, integer, Annotated[float, finite], bool, None, dict[str, level], list[level]]  # type: ignore[valid-type]
    return msgspec.defstruct(
        "FastStatus",
        [("source_value", level, msgspec.UNSET), ("value", Union[str, None, msgspec.UnsetType], msgspec.UNSET)],
        forbid_unknown_fields=True,
        gc=False,  # nothing decoded from JSON makes a cycle; untracked structs allocate faster
    )


if msgspec is not None:
    _UNSET: Any = msgspec.UNSET
    _DECODERS: Final = {bounded: msgspec.json.Decoder(_struct(bounded)).decode for bounded in (False, True)}
else:  # pragma: no cover
    _UNSET = object()


def _decoder() -> Callable[[Any], Any]:
    return _DECODERS[sys.get_int_max_str_digits() != _DEFAULT_INT_DIGITS]


class _Missed:
    """What a line the Struct refused decodes to: its `value` is a key no raw value equals."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: Any = self


_MISSED: Final = _Missed()
_MISSED_KEY: Final = _MISSED.value


def _decode_chunk(decode: Callable[[Any], Any], chunk: list[Any]) -> list[Any]:
    """Each line decoded, or `_MISSED` where the Struct refused it; a loop in C between refusals."""
    from .bulk import _resumed  # bulk imports this module

    decoded: list[Any] = []
    keep = decoded.extend  # `extend` keeps what was decoded before a refusal
    # Any refusal (DecodeError, UnicodeError, ...) means "exact path".
    for _ in _resumed(lambda texts: keep(map(decode, texts)), chunk, Exception):
        decoded.append(_MISSED)
    return decoded


# ------------------------------------------------------------------------------------------------
# Resolving raw `value` strings, once each, with the model itself
# ------------------------------------------------------------------------------------------------

_FALLBACK: Final = object()
_REMEMBERED: Final = 4096
_REMEMBERED_LENGTH: Final = 256


class _Plan:
    """What one model's accepted lines become: per raw `value`, the model's own answer."""

    def __init__(self, model: type[UnifiedStatus], provider: str | None) -> None:
        self.model = model
        self.provider = provider
        marker = next(item for item in model.model_fields["value"].metadata if isinstance(item, UnifiedValue))
        self.unmapped_member = marker.enum("unmapped_value")
        self.validate_python = model.__pydantic_validator__.validate_python
        # raw -> (value, moves the raw string into a null `source_value`), or _FALLBACK
        self.resolved: dict[Any, Any] = {None: (None, False), _UNSET: (None, False)}
        self.line_texts: dict[Any, tuple[str, str]] = {_UNSET: ("{}", "}"), None: (_ALONE + "null}", _NEXT + "null}")}
        self.value_texts: dict[Any, str] = {}
        self.source_texts: dict[str, str] = {}

    def resolve(self, raw: Any) -> Any:
        answer = self.resolved.get(raw, _FALLBACK)
        if answer is not _FALLBACK or raw is _MISSED_KEY:
            return answer
        try:
            document = self.validate_python({"value": raw})
        except ValidationError:
            answer = _FALLBACK
        else:
            answer = (document.value, "source_value" in document.__pydantic_fields_set__)
        if len(raw) <= _REMEMBERED_LENGTH and len(self.resolved) < _REMEMBERED:
            self.resolved[raw] = answer
            if answer is not _FALLBACK and not answer[1]:
                value_text = self.value_text(answer[0])
                self.line_texts[raw] = (_ALONE + value_text, _NEXT + value_text)
        return answer

    def value_text(self, value: Any) -> str:
        """`value` as pydantic writes it, and the closing brace."""
        text = self.value_texts.get(value)
        if text is None:
            text = to_json(value).decode() + "}"
            if not isinstance(value, str) or (len(value) <= _REMEMBERED_LENGTH and len(self.value_texts) < _REMEMBERED):
                self.value_texts[value] = text
        return text

    def source_text(self, source_value: Any) -> str:
        """`source_value` as pydantic writes it."""
        if type(source_value) is str:
            text = self.source_texts.get(source_value)
            if text is None:
                text = to_json(source_value).decode()
                if len(source_value) <= _REMEMBERED_LENGTH and len(self.source_texts) < _REMEMBERED:
                    self.source_texts[source_value] = text
            return text
        return to_json(source_value).decode()

    def exact_for_provider(self, raw: Any, value: Any, source_value: Any) -> bool:
        """Whether the provider could change this document (it reads `source_value`, or an unknown
        `value` sent alone): its lines take the exact path. Only a `value` that both the provider
        and the model take for a member other than `unmapped_value` is left as the model makes it,
        and a document with neither field set."""
        from .providers import _to_infer

        if raw is None or raw is _UNSET:
            return source_value is not None and source_value is not _UNSET
        kept = isinstance(value, Enum) and value is not self.unmapped_member
        return not kept or _to_infer(raw, type(self.unmapped_member))


_PLANS: dict[tuple[type[BaseModel], str | None], _Plan] = {}


def _plan(model: type[UnifiedStatus], provider: str | None) -> _Plan:
    plan = _PLANS.get((model, provider))
    if plan is None:
        plan = _PLANS[model, provider] = _Plan(model, provider)
    return plan


def _status_key(value: Any) -> str:
    """`bulk._status_key`, which this module cannot import at its own import."""
    if value is None:
        return _NO_VALUE
    return str(value.value) if isinstance(value, Enum) else _UNKNOWN_VALUE


_NO_VALUE: Final = "(none)"  # bulk.NO_VALUE and bulk.UNKNOWN_VALUE (tests/test_fast.py checks)
_UNKNOWN_VALUE: Final = "(unknown)"


# ------------------------------------------------------------------------------------------------
# The three uses
# ------------------------------------------------------------------------------------------------

_new = object.__new__
_set_dict: Callable[[Any, dict[str, Any]], None] = vars(BaseModel)["__dict__"].__set__
_set_fields_set: Callable[[Any, set[str]], None] = vars(BaseModel)["__pydantic_fields_set__"].__set__
_set_extra: Callable[[Any, dict[str, Any]], None] = vars(BaseModel)["__pydantic_extra__"].__set__
_set_private: Callable[[Any, None], None] = vars(BaseModel)["__pydantic_private__"].__set__


def _accepted(plan: _Plan, decoded: Any) -> tuple[Any, Any, bool, bool] | None:
    """An accepted line's (value, source_value, value set, source_value set), or `None` for the exact path."""
    raw = decoded.value
    answer = plan.resolve(raw)
    if answer is _FALLBACK:
        return None
    value, moves = answer
    source_value = decoded.source_value
    if plan.provider is not None and plan.exact_for_provider(raw, value, source_value):
        return None
    has_source = source_value is not _UNSET
    if not has_source:
        source_value = None
    if moves and source_value is None:
        source_value, has_source = raw, True
    return value, source_value, raw is not _UNSET, has_source


def _document(plan: _Plan, decoded: Any) -> BaseModel | None:
    """The instance pydantic would build for an accepted line (set slot by slot, as its validator
    does), or `None` for the exact path."""
    accepted = _accepted(plan, decoded)
    if accepted is None:
        return None
    value, source_value, has_value, has_source = accepted
    document: BaseModel = _new(plan.model)
    extra: dict[str, Any] = {}
    _set_dict(document, {"source_value": source_value, "value": value, "__pydantic_extra__": extra})
    _set_fields_set(document, _FIELDS[has_value, has_source].copy())
    _set_extra(document, extra)
    _set_private(document, None)
    return document


_FIELDS: Final = {
    (False, False): set(),
    (True, False): {"value"},
    (False, True): {"source_value"},
    (True, True): {"source_value", "value"},
}


def _exact_line(validate: Callable[[Any], Any], chunk: list[Any], position: int, number: int) -> Iterator[LineResult]:
    """The exact path for a line the screen did not take: its result (none for a blank line)."""
    from .bulk import _failure, _valid  # bulk imports this module

    try:
        document = validate(chunk[position])
    except ValidationError as error:
        failure = _failure(error, chunk, position, number)
        if failure is not None:
            yield failure
        return
    yield _valid(document, number)


def validate_lines(
    validate: Callable[[Any], Any],
    chunks: Iterator[tuple[int, list[Any]]],
    model: type[UnifiedStatus],
    provider: str | None,
) -> Iterator[LineResult]:
    """`bulk.validate_lines` through the accelerator: the same results, in order.

    The loop below is `_document` written out for the common case (no provider, a remembered raw
    value): every call it saves is a tenth of the time it takes to build the instance.
    """
    from .bulk import ValidLine, _valid

    plan = _plan(model, provider)
    resolved = plan.resolved
    new, set_dict, set_fields, set_extra, set_private = _new, _set_dict, _set_fields_set, _set_extra, _set_private
    set_line, set_document = vars(ValidLine)["line"].__set__, vars(ValidLine)["document"].__set__
    unset, missed, fallback = _UNSET, _MISSED, _FALLBACK
    answer: Any
    document: Any
    for first, chunk in chunks:
        number = first - 1
        for item in _decode_chunk(_decoder(), chunk):
            number += 1
            if item is not missed:
                raw = item.value
                answer = resolved.get(raw, fallback) if provider is None else fallback
                if answer is not fallback:
                    value, moves = answer
                    source_value = item.source_value
                    if source_value is unset:
                        if moves:
                            fields = {"source_value", "value"}
                            source_value = raw
                        else:
                            fields = set() if raw is unset else {"value"}
                            source_value = None
                    elif moves and source_value is None:
                        fields = {"source_value", "value"}
                        source_value = raw
                    else:
                        fields = {"source_value"} if raw is unset else {"source_value", "value"}
                    document = new(model)
                    extra: dict[str, Any] = {}
                    set_dict(document, {"source_value": source_value, "value": value, "__pydantic_extra__": extra})
                    set_fields(document, fields)
                    set_extra(document, extra)
                    set_private(document, None)
                    result = new(ValidLine)
                    set_line(result, number)
                    set_document(result, document)
                    yield result
                    continue
                document = _document(plan, item)
                if document is not None:
                    yield _valid(document, number)
                    continue
            yield from _exact_line(validate, chunk, number - first, number)


# Complexity allowed: the bulk hot loop: a helper would cost a call per line.
def summarize_lines(  # noqa: C901
    validate: Callable[[Any], Any],
    chunks: Iterator[tuple[int, list[Any]]],
    model: type[UnifiedStatus],
    provider: str | None,
    summary: BulkSummary,
) -> None:
    """Count lines into `summary` as `bulk.summarize_lines` does.

    Without a provider, accepted lines are counted by their raw `value` in C and each distinct raw
    string is resolved once; with one, each accepted line is checked on its own (no instance is
    built). The lines left are validated one by one on the exact path, in order.
    """
    from .bulk import _failure

    plan = _plan(model, provider)
    keys: Counter[str] = Counter()
    for first, chunk in chunks:
        decoded = _decode_chunk(_decoder(), chunk)
        # Unknown strings are also counted by spelling, in the order they first appear in the batch
        # (as `bulk.summarize_lines` does: the bounded count keeps the first ones apart).
        unknown: list[tuple[int, str, int]] = []  # (first position, value, lines)
        accepted_unknown: dict[str, int] = {}
        if provider is None:
            raws = Counter(map(_VALUE, decoded))
            exact = {raw for raw in raws if plan.resolve(raw) is _FALLBACK}
            for raw, number in raws.items():
                if raw not in exact:
                    value = plan.resolve(raw)[0]
                    keys[_status_key(value)] += number
                    if _is_unknown(value):
                        accepted_unknown[value] = number
            positions: Iterable[int] = (
                [position for position, item in enumerate(decoded) if item.value in exact] if exact else ()
            )
        else:
            positions = []
            for position, item in enumerate(decoded):
                accepted = None if item is _MISSED else _accepted(plan, item)
                if accepted is None:
                    positions.append(position)
                else:
                    keys[_status_key(accepted[0])] += 1
                    if _is_unknown(accepted[0]):
                        unknown.append((position, accepted[0], 1))
        for position in positions:
            try:
                document = validate(chunk[position])
            except ValidationError as error:
                failure = _failure(error, chunk, position, first + position)
                if failure is not None:
                    summary.add(failure)
                continue
            keys[_status_key(document.value)] += 1
            if _is_unknown(document.value):
                unknown.append((position, document.value, 1))
        if accepted_unknown and unknown:  # both kinds: their first positions say the order
            for position, item in enumerate(decoded):
                number = accepted_unknown.pop(item.value, 0) if item is not _MISSED else 0
                if number:
                    unknown.append((position, item.value, number))
        for value, number in accepted_unknown.items():  # alone: already in order of appearance
            summary.count_unknown(value, number)
        for _, value, number in sorted(unknown, key=itemgetter(0)):
            summary.count_unknown(value, number)
    summary.valid += keys.total()
    summary.value_counts.update(keys)


def _is_unknown(value: Any) -> bool:
    return type(value) is str


_VALUE: Final = attrgetter("value")


def writes(model: Any) -> TypeGuard[type[UnifiedStatus]]:
    """Whether `jobstatus validate` writes lines of `model` through `write_lines` (the status models)."""
    return model in _MODELS


def write_lines(
    lines: Iterable[bytes | str],
    write: Callable[[str], object],
    summary: BulkSummary,
    *,
    model: type[UnifiedStatus],
    provider: str | None = None,
    batch_size: int = 1000,
) -> Iterator[LineResult]:
    """What `jobstatus validate` does with NDJSON of a status model: each valid line is written as
    the text `model_dump_json(exclude_unset=True)` gives and counted into `summary`; the invalid
    lines' results are yielded, in order, for the caller to report (whatever was written before a
    result is written before it is yielded). Through the accelerator when it is on; else
    validated and written a batch at a time, in C."""
    # The command line's objects from its imports (models, schemas, tables) are never garbage: out
    # of the collector's sight, the collections that millions of documents trigger are about a
    # tenth cheaper (measured on `jobstatus validate` over 200,000 lines).
    gc.freeze()
    if accelerated(model):
        return _write_accelerated(lines, write, summary, model=model, provider=provider, batch_size=batch_size)
    return _write_exact(lines, write, summary, model=model, provider=provider, batch_size=batch_size)


def _write_exact(
    lines: Iterable[bytes | str],
    write: Callable[[str], object],
    summary: BulkSummary,
    *,
    model: type[UnifiedStatus],
    provider: str | None,
    batch_size: int,
) -> Iterator[LineResult]:
    """`write_lines` without msgspec: pydantic validates and serializes, mapped over each batch in C
    (the serializer itself, as `model_dump_json(exclude_unset=True)` calls it)."""
    from .bulk import _check, _chunks, _failure, _resumed

    validate = _check(model, provider, batch_size)
    dump = partial(model.__pydantic_serializer__.to_json, exclude_unset=True)
    documents: list[Any] = []
    keep = documents.extend
    for first, chunk in _chunks(lines, batch_size, 1):
        # `extend` keeps the documents made before a failure, written before the failure is yielded.
        for position, error in _resumed(lambda texts: keep(map(validate, texts)), chunk, ValidationError):
            _flush(documents, dump, write, summary)
            failure = _failure(error, chunk, position, first + position)
            if failure is not None:
                yield failure
        _flush(documents, dump, write, summary)


def _flush(
    documents: list[Any], dump: Callable[[Any], bytes], write: Callable[[str], object], summary: BulkSummary
) -> None:
    if not documents:
        return
    for value, number in Counter(map(_VALUE, documents)).items():
        summary.value_counts[_status_key(value)] += number
    summary.valid += len(documents)
    write((b"\n".join(map(dump, documents)) + b"\n").decode())
    documents.clear()


def _write_accelerated(
    lines: Iterable[bytes | str],
    write: Callable[[str], object],
    summary: BulkSummary,
    *,
    model: type[UnifiedStatus],
    provider: str | None = None,
    batch_size: int = 1000,
) -> Iterator[LineResult]:
    """`write_lines` through the accelerator: an accepted line's text is made without an instance."""
    from .bulk import _check, _chunks

    validate = _check(model, provider, batch_size)
    plan = _plan(model, provider)
    resolved, line_texts, source_texts = plan.resolved, plan.line_texts, plan.source_texts
    unset, missed = _UNSET, _MISSED
    texts: list[str] = []
    raws: list[Any] = []  # the raw values of the lines written, counted once per batch
    add_text, add_raw = texts.append, raws.append
    keys: Counter[Any] = Counter()
    for first, chunk in _chunks(lines, batch_size, 1):
        number = first - 1
        for item in _decode_chunk(_decoder(), chunk):
            number += 1
            if item is not missed:
                # The common case written out: a remembered raw value that moves nothing.
                raw = item.value
                pair = line_texts.get(raw) if provider is None else None
                if pair is not None:
                    source_value = item.source_value
                    if source_value is unset:
                        add_text(pair[0])
                    else:
                        text = source_texts.get(source_value) if type(source_value) is str else None
                        add_text(_HEAD + (text or plan.source_text(source_value)) + pair[1])
                    add_raw(raw)
                    continue
                accepted = _accepted(plan, item)
                if accepted is not None:
                    value, source_value, has_value, has_source = accepted
                    keys[_status_key(value)] += 1
                    if has_source:
                        head = _HEAD + plan.source_text(source_value)
                        add_text(head + _NEXT + plan.value_text(value) if has_value else head + "}")
                    else:
                        add_text(_ALONE + plan.value_text(value) if has_value else "{}")
                    continue
            if texts:
                _count_written(summary, keys, raws, resolved)
                write("\n".join(texts) + "\n")
                texts.clear()
            yield from _exact_line(validate, chunk, number - first, number)
        _count_written(summary, keys, raws, resolved)  # counted first: a Ctrl-C between the two
        if texts:  # then reports no line that was not written
            write("\n".join(texts) + "\n")
            texts.clear()


def _count_written(summary: BulkSummary, keys: Counter[Any], raws: list[Any], resolved: dict[Any, Any]) -> None:
    for raw, count in Counter(raws).items():
        keys[_status_key(resolved[raw][0])] += count
    raws.clear()
    summary.valid += keys.total()
    summary.value_counts.update(keys)
    keys.clear()


_HEAD: Final = '{"source_value":'
_ALONE: Final = '{"value":'
_NEXT: Final = ',"value":'
