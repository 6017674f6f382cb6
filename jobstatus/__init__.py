"""Validate, normalize and publish the job-status object of a unified ATS API.

```python
from jobstatus import JobStatus, JobStatusValue

status = JobStatus.model_validate_json('{"source_value": "On Hold", "value": "on-hold"}')
assert status.value is JobStatusValue.ON_HOLD and status.source_value == "On Hold"
```
"""

from ._models import (
    JobPostingStatus,
    JobStatus,
    StrictJobPostingStatus,
    StrictJobStatus,
    UnmappedJobPostingStatus,
    UnmappedJobStatus,
)
from ._source_value import MAX_SOURCE_VALUE_DEPTH, SourceValue, json_kind
from ._unified import UnifiedStatus, UnifiedValue, UnknownValuePolicy, UnmappedUnifiedStatus
from ._values import JobPostingStatusValue, JobStatusValue, describe, fold_status
from .providers import (
    ProviderTable,
    UnknownProviderError,
    infer_status,
    load_provider_table,
    provider_table_markdown,
    providers,
    register_provider,
    unregister_provider,
    validate_with_provider,
)
from .schema import json_schema
from .version import VERSION

__version__ = VERSION

__all__ = (
    "MAX_SOURCE_VALUE_DEPTH",
    "VERSION",
    "JobPostingStatus",
    "JobPostingStatusValue",
    "JobStatus",
    "JobStatusValue",
    "ProviderTable",
    "SourceValue",
    "StrictJobPostingStatus",
    "StrictJobStatus",
    "UnifiedStatus",
    "UnifiedValue",
    "UnknownProviderError",
    "UnknownValuePolicy",
    "UnmappedJobPostingStatus",
    "UnmappedJobStatus",
    "UnmappedUnifiedStatus",
    "describe",
    "fold_status",
    "infer_status",
    "json_kind",
    "json_schema",
    "load_provider_table",
    "provider_table_markdown",
    "providers",
    "register_provider",
    "unregister_provider",
    "validate_with_provider",
)
