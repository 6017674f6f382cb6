"""Consumer-side typing checks, read by mypy --strict (see pyproject.toml), never run.

Each line is an intended use; `# type: ignore[...]` marks a misuse that must stay a type error
(mypy's warn_unused_ignores fails the build if it stops being one).
"""

from __future__ import annotations

from typing import Any

from jobstatus import (
    JobPostingStatus,
    JobPostingStatusValue,
    JobStatus,
    JobStatusValue,
    StrictJobStatus,
    UnmappedJobStatus,
    fold_status,
    json_schema,
)


def open_value(status: JobStatus) -> JobStatusValue | str | None:
    return status.value


def strict_value(status: StrictJobStatus) -> JobStatusValue | None:
    return status.value


def unmapped_value(status: UnmappedJobStatus) -> JobStatusValue | None:
    return status.value


def posting_value(status: JobPostingStatus) -> JobPostingStatusValue | str | None:
    return status.value


def schema_document() -> dict[str, Any]:
    return json_schema(JobStatus, mode="serialization", dialect="openapi-3.0")


def folded() -> str:
    return fold_status("On Hold")


def built() -> JobStatus:
    return JobStatus(value=JobStatusValue.OPEN, source_value={"id": 1, "tags": ["a", 2, None]})


def misuses(status: JobStatus, strict: StrictJobStatus) -> None:
    narrow: JobStatusValue | None = status.value  # type: ignore[assignment]
    json_schema(JobStatus, dialect="draft-07")  # type: ignore[arg-type]
    JobStatus(source_value={1, 2})  # type: ignore[arg-type]
    strict.value = JobStatusValue.OPEN  # type: ignore[misc]
    del narrow
