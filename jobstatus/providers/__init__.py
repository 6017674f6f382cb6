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
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, cast, overload

from jobstatus._models import JobStatus
from jobstatus._unified import UnifiedStatus
from jobstatus._values import JobStatusValue

from ._table import (
    DuplicateProviderError,
    ProviderTable,
    Rule,
    Source,
    StatusEntry,
    UnknownProviderError,
    dump_json,
    load_table_file,
    registry,
)

__all__ = (
    "GENERIC",
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
    "unregister_provider",
    "validate_with_provider",
)

GENERIC = "generic"
"""The id of the generic vocabulary, the one `provider=None` reads."""

_M = TypeVar("_M", bound=UnifiedStatus)
_UNMAPPED = JobStatusValue.UNMAPPED_VALUE
_UNMAPPED_TEXT = _UNMAPPED.value
_VALUE_TEXT: dict[JobStatusValue, str] = {member: member.value for member in JobStatusValue}


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
        provider: a provider id (see `provider_ids()`), or `None` for the generic vocabulary.
        model: the job status class to build, `JobStatus` or another job status model.

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
    """
    key = GENERIC if provider is None else provider
    vocabulary = registry.compiled.get(key) or registry.vocabulary(key)
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
    """Validate a job status payload, inferring a missing or unmapped `value` from `source_value`.

    The payload is validated by `model` first, exactly as without a provider. Then, when `value`
    is missing, null, `unmapped_value` or a string that names no member, and `source_value` is
    not null, the provider's vocabulary reads `source_value`:

    - a known raw status replaces `value`;
    - an unknown one makes a missing value `unmapped_value` and leaves an explicit string as it was.

    An explicit `value` that is a member (other than `unmapped_value`) is never overwritten.
    This is a function rather than a validation `context` on the models so that the models'
    default validation stays untouched (and as fast), and it works with every job status model.

    Args:
        data: the payload, a mapping or JSON text (`str` or `bytes`).
        provider: a provider id, or `None` for the generic vocabulary.
        model: the job status class to validate with.

    Raises:
        UnknownProviderError: `provider` names no registered table.
        pydantic.ValidationError: the payload is invalid for `model`.

    ```python
    from jobstatus import JobStatusValue, validate_with_provider

    status = validate_with_provider('{"source_value": "Frozen"}', "workday")
    assert status.value is JobStatusValue.ON_HOLD and status.source_value == "Frozen"
    explicit = validate_with_provider({"source_value": "Frozen", "value": "closed"}, "workday")
    assert explicit.value is JobStatusValue.CLOSED
    ```
    """
    vocabulary = registry.vocabulary(GENERIC if provider is None else provider)
    if isinstance(data, (str, bytes, bytearray)):
        status = model.model_validate_json(data)
    else:
        status = model.model_validate(data)
    current = getattr(status, "value", None)
    if (isinstance(current, JobStatusValue) and current is not _UNMAPPED) or status.source_value is None:
        return status
    inferred = vocabulary.lookup(status.source_value)
    if inferred is None:
        if current is not None:
            return status
        inferred = _UNMAPPED
    # The value is a member and every other field is already validated: a copy with the new value
    # is what validating the payload with that value would give.
    return status.model_copy(update={"value": inferred})


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
