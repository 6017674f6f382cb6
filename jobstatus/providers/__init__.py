"""Provider vocabularies: infer the unified job status from an ATS's raw status.

Each provider's vocabulary is a data file in `jobstatus/providers/data/` (one TOML table per
provider id, with the sources that document it), validated by `ProviderTable` and compiled once
into precomputed lookups. Users add or override tables in code (`register_provider`) or from
their own TOML or JSON files (`load_provider_table`), checked the same way.

```python
from jobstatus import JobStatusValue, infer_status

status = infer_status("ON_HOLD", "jazzhr")
assert status.value is JobStatusValue.ON_HOLD and status.source_value == "ON_HOLD"
assert infer_status({"id": 7, "name": "Won"}, "recruiterflow").value is JobStatusValue.CLOSED
assert infer_status("Frozen").value is JobStatusValue.UNMAPPED_VALUE
```
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar, cast, overload

from pydantic_core import from_json

from jobstatus._models import JobStatus
from jobstatus._unified import UnifiedStatus, UnifiedValue
from jobstatus._values import JobPostingStatusValue, JobStatusValue, member_by_key, status_key

from ._table import (
    DuplicateProviderError,
    ProviderTable,
    Rule,
    Source,
    StatusEntry,
    UnknownProviderError,
    Vocabulary,
    dump_json,
    load_table_file,
    registry,
)

__all__ = (
    "GENERIC",
    "MAX_SUGGESTION_LENGTH",
    "DuplicateProviderError",
    "ProviderTable",
    "Rule",
    "Source",
    "StatusEntry",
    "UnknownProviderError",
    "infer_status",
    "load_provider_table",
    "provider_ids",
    "provider_table",
    "provider_table_markdown",
    "register_provider",
    "suggest_value",
    "unregister_provider",
    "validate_with_provider",
)

GENERIC = "generic"
"""The id of the generic vocabulary, the one `provider=None` reads."""

_M = TypeVar("_M", bound=UnifiedStatus)
_UNMAPPED_TEXT = JobStatusValue.UNMAPPED_VALUE.value
_VALUE_TEXT: dict[Enum, str] = {member: member.value for member in (*JobStatusValue, *JobPostingStatusValue)}
# The enum of each model's `value`, read once from its `UnifiedValue` marker.
_MODEL_ENUMS: dict[type[UnifiedStatus], type[Enum]] = {}


def _value_enum(model: type[UnifiedStatus]) -> type[Enum]:
    """The vocabulary of `model`'s `value` field (`JobStatusValue` when it declares none)."""
    enum = _MODEL_ENUMS.get(model)
    if enum is None:
        field = model.model_fields.get("value")
        markers = [marker for marker in (field.metadata if field else ()) if isinstance(marker, UnifiedValue)]
        enum = markers[0].enum if markers else JobStatusValue
        _MODEL_ENUMS[model] = enum
    return enum


def _vocabulary(provider: str | None, enum: type[Enum]) -> Vocabulary:
    key = GENERIC if provider is None else provider
    if enum is JobPostingStatusValue:
        return registry.compiled_posting.get(key) or registry.vocabulary(key, posting=True)
    if enum is not JobStatusValue:
        raise TypeError(f"provider tables give job and job posting statuses, not {enum.__name__} values")
    return registry.compiled.get(key) or registry.vocabulary(key)


@overload
def infer_status(raw: Any, provider: str | None = None) -> JobStatus: ...
@overload
def infer_status(raw: Any, provider: str | None = None, *, model: type[_M]) -> _M: ...
def infer_status(raw: Any, provider: str | None = None, *, model: type[UnifiedStatus] = JobStatus) -> UnifiedStatus:
    """Infer the unified status of a provider's raw status.

    The raw value is kept exactly as `source_value`. Strings match ignoring case and separators;
    numbers and booleans match exactly; objects are read by the provider's rules and keys. A raw
    value the vocabulary does not know gives `unmapped_value`, never an exception.

    Args:
        raw: the provider's raw status, any JSON value.
        provider: a provider id (see `provider_ids()`, any case), or `None` for the generic vocabulary.
        model: the class to build: `JobStatus` or another job status model, or a job posting
            status model (`JobPostingStatus`, ...), which reads each entry's posting value.

    Returns:
        An instance of `model`, equal to what `model.model_validate` gives for
        `{"source_value": raw, "value": <the inferred value>}`.

    Raises:
        UnknownProviderError: `provider` names no registered table.
        pydantic.ValidationError: `raw` is not a JSON value (a set, NaN, ...).

    ```python
    from jobstatus import JobStatusValue, UnmappedJobStatus, infer_status

    assert infer_status("Pending Approval", "smartrecruiters").value is JobStatusValue.PENDING
    assert infer_status(0, "successfactors").value is JobStatusValue.PENDING
    post = {"live": True, "internal": False, "active": True}
    assert infer_status(post, "greenhouse_job_post").value is JobStatusValue.PUBLISHED
    job_order = {"isOpen": True, "isPublic": 1, "status": "Accepting Candidates"}
    assert infer_status(job_order, "bullhorn").value is JobStatusValue.PUBLISHED
    status = infer_status("Frozen", "workday", model=UnmappedJobStatus)
    assert isinstance(status, UnmappedJobStatus) and status.value is JobStatusValue.ON_HOLD
    ```

    A job posting model reads the same tables as posting statuses (docs/providers.md):

    ```python
    from jobstatus import JobPostingStatus, JobPostingStatusValue, infer_status

    assert infer_status("PUBLISHED", "merge_job_posting", model=JobPostingStatus).value is JobPostingStatusValue.LIVE
    assert infer_status("rejected", "lever", model=JobPostingStatus).value is JobPostingStatusValue.REJECTED
    ```
    """
    vocabulary = _vocabulary(provider, _value_enum(model))
    value = vocabulary.lookup(raw)
    # Real validation (what `model_validate` runs, minus its Python wrapper), not model_construct:
    # the source value is checked and copied exactly as `model_validate` would, and the value's
    # canonical text is matched on pydantic-core's exact-match fast path, which is faster than
    # model_construct and measured faster than handing over the member itself.
    text = _UNMAPPED_TEXT if value is None else _VALUE_TEXT[value]
    return cast(UnifiedStatus, model.__pydantic_validator__.validate_python({"source_value": raw, "value": text}))


@overload
def validate_with_provider(data: Mapping[str, Any] | str | bytes, provider: str | None) -> JobStatus: ...
@overload
def validate_with_provider(data: Mapping[str, Any] | str | bytes, provider: str | None, *, model: type[_M]) -> _M: ...
def validate_with_provider(
    data: Mapping[str, Any] | str | bytes, provider: str | None, *, model: type[UnifiedStatus] = JobStatus
) -> UnifiedStatus:
    """Validate a status payload, inferring a missing or unknown `value` from `source_value` first.

    Inference comes before the model's policy for unknown values: when `value` is missing, null,
    `unmapped_value` or a string that names no member, and the provider's table knows
    `source_value`, the payload is validated with the inferred value in its place. So the result
    is the same under every policy (`JobStatus`, `UnmappedJobStatus`, `StrictJobStatus`) whenever
    the provider knows the raw status, and it is built by the model's own validation: a
    subclass's validators run on the inferred value too. Otherwise the payload is validated as
    given, except that a missing or null `value` becomes `unmapped_value` when `source_value` is
    not null (an explicit unknown string is left to the model's policy).

    An explicit `value` that is a member (other than `unmapped_value`), in any spelling, is never
    overwritten. This is a function rather than a validation `context` on the models so that the
    models' default validation stays untouched (and as fast), and it works with every job status
    and job posting status model.

    Args:
        data: the payload, a mapping or JSON text (`str` or `bytes`).
        provider: a provider id (any case), or `None` for the generic vocabulary.
        model: the status class to validate with.

    Raises:
        UnknownProviderError: `provider` names no registered table.
        pydantic.ValidationError: the payload is invalid for `model`.

    ```python
    from jobstatus import JobStatus, JobStatusValue, StrictJobStatus, validate_with_provider

    status = validate_with_provider('{"source_value": "Frozen"}', "workday")
    assert status.value is JobStatusValue.ON_HOLD and status.source_value == "Frozen"
    explicit = validate_with_provider({"source_value": "Frozen", "value": "closed"}, "workday")
    assert explicit.value is JobStatusValue.CLOSED
    for model in (JobStatus, StrictJobStatus):  # the same answer under every policy
        assert validate_with_provider({"value": "Frozen"}, "workday", model=model).value is JobStatusValue.ON_HOLD
    ```
    """
    enum = _value_enum(model)
    vocabulary = _vocabulary(provider, enum)
    payload: Any = data
    if isinstance(data, (str, bytes, bytearray)):
        try:
            payload = from_json(data, allow_inf_nan=False)
        # TypeError: a str that is not valid Unicode (a lone surrogate), which from_json refuses so
        except (ValueError, TypeError):
            return model.model_validate_json(data)  # the model's own error for bad JSON
    if not isinstance(payload, Mapping):
        return model.model_validate(payload) if payload is not data else model.model_validate_json(data)
    value = payload.get("value")
    raw = payload.get("source_value")
    if not _to_infer(value, enum):
        inferred = None
    elif raw is not None:
        inferred = vocabulary.lookup(raw)
        if inferred is None and value is None:
            inferred = enum("unmapped_value")
    elif isinstance(value, str) and not _names_member(value, enum):
        # A raw status sent as `value` alone (`{"value": "Frozen"}`): read it, and keep it where
        # raw statuses go, as the unmapped policy would.
        raw = value
        inferred = vocabulary.lookup(raw)
    else:
        inferred = None
    if inferred is None:
        if isinstance(data, (str, bytes, bytearray)):
            return model.model_validate_json(data)
        return model.model_validate(data)
    return model.model_validate({**payload, "value": _VALUE_TEXT[inferred], "source_value": raw})


_MEMBER_KEYS: dict[type[Enum], dict[str, Enum]] = {}


def _member(value: str, enum: type[Enum]) -> Enum | None:
    members = _MEMBER_KEYS.get(enum)
    if members is None:
        members = _MEMBER_KEYS[enum] = member_by_key(enum)
    return members.get(status_key(value))


def _names_member(value: str, enum: type[Enum]) -> bool:
    return _member(value, enum) is not None


def _to_infer(value: Any, enum: type[Enum]) -> bool:
    """Whether `value` leaves the status to infer: absent, null, `unmapped_value` or an unknown string."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False  # not a status at all: the model refuses it
    member = _member(value, enum)
    return member is None or member.value == "unmapped_value"


MAX_SUGGESTION_LENGTH = 256
"""The longest string `suggest_value` looks up; the longest raw status in the shipped tables has 22 characters."""


def suggest_value(raw: str, enum: type[Enum] = JobStatusValue) -> Enum | None:
    """What the provider tables map a raw status to, when they know it: the strict models' suggestion.

    The value most tables give wins (ties go to the value first in `enum`); tables that list the
    raw status as unmapped do not vote. `None` when no table knows it, for an enum the tables do
    not give, or for a string longer than `MAX_SUGGESTION_LENGTH` (no table's word is that long,
    and each table would read all of it: a 10 MB value took seconds).

    ```python
    from jobstatus import JobPostingStatusValue, JobStatusValue
    from jobstatus.providers import suggest_value

    assert suggest_value("Frozen") is JobStatusValue.ON_HOLD  # Workday's word
    assert suggest_value("Active") is JobStatusValue.OPEN
    assert suggest_value("Live", JobPostingStatusValue) is JobPostingStatusValue.LIVE
    assert suggest_value("Zzz") is None
    ```
    """
    if enum is not JobStatusValue and enum is not JobPostingStatusValue:
        return None
    if len(raw) > MAX_SUGGESTION_LENGTH:
        return None
    votes = Counter(
        value
        for vocabulary in registry.vocabularies(posting=enum is JobPostingStatusValue)
        if (value := vocabulary.lookup(raw)) is not None and value.value != "unmapped_value"
    )
    if not votes:
        return None
    order: dict[Enum, int] = {member: index for index, member in enumerate(enum)}
    return min(votes, key=lambda member: (-votes[member], order[member]))


def provider_ids() -> tuple[str, ...]:
    """The ids of every registered provider table, built-in and user-registered, sorted.

    ```python
    from jobstatus import provider_ids

    assert "greenhouse" in provider_ids() and provider_ids() == tuple(sorted(provider_ids()))
    ```
    """
    return tuple(sorted(registry.tables()))


def provider_table(provider: str) -> ProviderTable:
    """The validated table registered under `provider`.

    Raises:
        UnknownProviderError: `provider` names no registered table.

    ```python
    from jobstatus.providers import provider_table

    assert provider_table("successfactors").sources["kba_2827811"].kind == "primary"
    ```
    """
    return registry.table(provider)


def register_provider(table: ProviderTable | Mapping[str, Any], *, replace: bool = False) -> ProviderTable:
    """Register a provider table from code; a mapping is validated as a `ProviderTable` first.

    Args:
        table: the table, or a mapping in the table format (see docs/providers.md).
        replace: allow replacing a table already registered under the same id (a built-in one
            included; `unregister_provider` brings the built-in back).

    Returns:
        The validated table.

    Raises:
        pydantic.ValidationError: the mapping is not a valid table.
        DuplicateProviderError: the id is taken and `replace` is false.
        UnknownProviderError: the table `extends` an unknown provider.

    ```python
    from jobstatus import JobStatusValue, infer_status, register_provider, unregister_provider

    register_provider({
        "id": "workable_hiring",
        "name": "Workable (closed jobs still hiring)",
        "field": "job `state`",
        "extends": "workable",
        "sources": {"ours": {"title": "Our Workable account's usage", "kind": "secondary"}},
        "statuses": [{"raw": "closed", "value": "open", "source": "ours"}],
    })
    assert infer_status("closed", "workable_hiring").value is JobStatusValue.OPEN
    assert infer_status("archived", "workable_hiring").value is JobStatusValue.ARCHIVED
    unregister_provider("workable_hiring")
    ```
    """
    validated = table if isinstance(table, ProviderTable) else ProviderTable.model_validate(table)
    registry.register(validated, replace=replace)
    return validated


def unregister_provider(provider: str) -> bool:
    """Remove a user-registered table; a built-in table it replaced comes back.

    Returns:
        Whether a user-registered table was removed (built-in tables cannot be removed).

    ```python
    from jobstatus import infer_status, register_provider, unregister_provider
    from jobstatus.providers import provider_table

    taleo = provider_table("taleo").model_dump()
    only_open = [{"raw": "Open", "value": "published", "source": "taleo_docs"}]
    register_provider({**taleo, "statuses": only_open}, replace=True)
    assert infer_status("Open", "taleo").value == "published"
    assert unregister_provider("taleo") is True
    assert infer_status("Open", "taleo").value == "open"  # the built-in table is back
    assert unregister_provider("taleo") is False
    ```
    """
    return registry.unregister(provider)


def load_provider_table(path: str | os.PathLike[str], *, register: bool = True, replace: bool = False) -> ProviderTable:
    """Load a provider table from a `.toml` or `.json` file, validate it and register it.

    Args:
        path: the file; its suffix picks the format.
        register: register the table (the default); `False` only validates and returns it.
        replace: allow replacing a table already registered under the same id.

    Raises:
        pydantic.ValidationError: the file is not a valid table (`loc` points at the entry).
        DuplicateProviderError: the id is taken and `replace` is false.
        ValueError: the suffix is neither `.toml` nor `.json`.

    ```python
    import tempfile
    from pathlib import Path
    from jobstatus import JobStatusValue, infer_status, load_provider_table, unregister_provider

    text = '''
    id = "acme"
    name = "Acme ATS"
    field = "job `status`"
    statuses = [{ raw = "Live", value = "published", source = "docs" }]

    [sources.docs]
    title = "Acme API docs"
    kind = "primary"
    '''
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory, "acme.toml")
        path.write_text(text, encoding="utf-8")
        load_provider_table(path)
    assert infer_status("LIVE", "acme").value is JobStatusValue.PUBLISHED
    unregister_provider("acme")
    ```
    """
    table = load_table_file(Path(path))
    if register:
        registry.register(table, replace=replace)
    return table


_INLINE_ENTRIES = 12


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _mappings_cell(table: ProviderTable) -> str:
    if len(table.statuses) > _INLINE_ENTRIES:
        cell = f"{len(table.statuses)} raw values"
    else:
        by_value: dict[JobStatusValue, list[str]] = {}
        for entry in table.statuses:
            by_value.setdefault(entry.value, []).append(f"`{dump_json(entry.raw)}`")
        cell = "; ".join(
            f"{', '.join(by_value[member])} → `{member.value}`" for member in JobStatusValue if member in by_value
        )
    extras = []
    if table.rules:
        extras.append(f"{len(table.rules)} object rule{'s' if len(table.rules) > 1 else ''}")
    if table.keys:
        extras.append("objects: " + ", ".join(f"`{key}`" for key in table.keys))
    if table.extends:
        extras.append(f"extends `{table.extends}`")
    return _cell("; ".join([cell, *extras]) if cell else "; ".join(extras))


def _sources_cell(table: ProviderTable) -> str:
    parts = []
    for source in table.sources.values():
        title = f"[{source.title}]({source.url})" if source.url else source.title
        parts.append(f"{title} ({source.kind})")
    return _cell("; ".join(parts))


def provider_table_markdown() -> str:
    """A markdown table of every registered provider, generated from the data (one row each).

    ```python
    from jobstatus import provider_table_markdown

    text = provider_table_markdown()
    assert text.startswith("| id | provider | field | raw → unified | sources |")
    assert "| `workday` |" in text and '`"Frozen"` → `on_hold`' in text
    ```
    """
    rows = []
    for provider in provider_ids():
        table = registry.table(provider)
        cells = [f"`{table.id}`", _cell(table.name), _cell(table.field), _mappings_cell(table), _sources_cell(table)]
        rows.append(f"| {' | '.join(cells)} |")
    return "\n".join(["| id | provider | field | raw → unified | sources |", "| --- | --- | --- | --- | --- |", *rows])
