"""Validate, normalize and publish the job-status object of a unified ATS API.

```python
from jobstatus import JobStatus, JobStatusValue

status = JobStatus.model_validate_json('{"source_value": "On Hold", "value": "on-hold"}')
assert status.value is JobStatusValue.ON_HOLD and status.source_value == "On Hold"
```
"""

# Names are imported on first use (PEP 562), as pydantic does: `import jobstatus` builds no model,
# and a program that only needs the core models never loads the provider tables or the bulk module.
# The imports under TYPE_CHECKING are what type checkers and editors read; a test checks that they,
# `_LAZY_IMPORTS` and `__all__` name the same things.

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .version import VERSION

if TYPE_CHECKING:
    from ._errors import (
        MAX_ERRORS,
        TOO_MANY_ERRORS,
        capped_errors,
        too_many_errors,
    )
    from ._models import (
        STATUS_MODELS,
        JobPostingStatus,
        JobStatus,
        StatusModelName,
        StrictJobPostingStatus,
        StrictJobStatus,
        UnmappedJobPostingStatus,
        UnmappedJobStatus,
        status_model,
    )
    from ._source_value import (
        MAX_INTEGER_DIGITS,
        MAX_SOURCE_VALUE_DEPTH,
        SourceValue,
        json_kind,
    )
    from ._unified import (
        UnifiedStatus,
        UnifiedValue,
        UnknownValuePolicy,
    )
    from ._values import (
        JobPostingStatusValue,
        JobStatusValue,
        describe,
        fold_status,
        status_key,
    )
    from .bulk import (
        BulkSummary,
        InvalidLine,
        ValidLine,
        summarize_lines,
        validate_lines,
    )
    from .providers import (
        ProviderTable,
        UnknownProviderError,
        infer_status,
        load_provider_table,
        provider_ids,
        provider_table_markdown,
        register_provider,
        unregister_provider,
        validate_with_provider,
    )
    from .schema import (
        json_schema,
    )

__version__ = VERSION

_LAZY_IMPORTS: dict[str, str] = {
    "MAX_ERRORS": "._errors",
    "TOO_MANY_ERRORS": "._errors",
    "capped_errors": "._errors",
    "too_many_errors": "._errors",
    "STATUS_MODELS": "._models",
    "StatusModelName": "._models",
    "status_model": "._models",
    "JobPostingStatus": "._models",
    "JobStatus": "._models",
    "StrictJobPostingStatus": "._models",
    "StrictJobStatus": "._models",
    "UnmappedJobPostingStatus": "._models",
    "UnmappedJobStatus": "._models",
    "MAX_INTEGER_DIGITS": "._source_value",
    "MAX_SOURCE_VALUE_DEPTH": "._source_value",
    "SourceValue": "._source_value",
    "json_kind": "._source_value",
    "UnifiedStatus": "._unified",
    "UnifiedValue": "._unified",
    "UnknownValuePolicy": "._unified",
    "JobPostingStatusValue": "._values",
    "JobStatusValue": "._values",
    "describe": "._values",
    "fold_status": "._values",
    "status_key": "._values",
    "BulkSummary": ".bulk",
    "InvalidLine": ".bulk",
    "ValidLine": ".bulk",
    "summarize_lines": ".bulk",
    "validate_lines": ".bulk",
    "ProviderTable": ".providers",
    "UnknownProviderError": ".providers",
    "infer_status": ".providers",
    "load_provider_table": ".providers",
    "provider_ids": ".providers",
    "provider_table_markdown": ".providers",
    "register_provider": ".providers",
    "unregister_provider": ".providers",
    "validate_with_provider": ".providers",
    "json_schema": ".schema",
}

__all__ = (
    "MAX_ERRORS",
    "MAX_INTEGER_DIGITS",
    "MAX_SOURCE_VALUE_DEPTH",
    "STATUS_MODELS",
    "TOO_MANY_ERRORS",
    "VERSION",
    "BulkSummary",
    "InvalidLine",
    "JobPostingStatus",
    "JobPostingStatusValue",
    "JobStatus",
    "JobStatusValue",
    "ProviderTable",
    "SourceValue",
    "StatusModelName",
    "StrictJobPostingStatus",
    "StrictJobStatus",
    "UnifiedStatus",
    "UnifiedValue",
    "UnknownProviderError",
    "UnknownValuePolicy",
    "UnmappedJobPostingStatus",
    "UnmappedJobStatus",
    "ValidLine",
    "capped_errors",
    "describe",
    "fold_status",
    "infer_status",
    "json_kind",
    "json_schema",
    "load_provider_table",
    "provider_ids",
    "provider_table_markdown",
    "register_provider",
    "status_key",
    "status_model",
    "summarize_lines",
    "too_many_errors",
    "unregister_provider",
    "validate_lines",
    "validate_with_provider",
)


def __getattr__(name: str) -> Any:
    module = _LAZY_IMPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY_IMPORTS])
