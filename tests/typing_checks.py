"""Consumer-side typing checks, read by mypy --strict and pyright --strict (see pyproject.toml and
the Makefile's `typecheck`), never run.

Each line is an intended use; `assert_type` states what both checkers must infer. A comment
`# type: ignore[code]  # pyright: ignore[rule]` marks a misuse that must stay a type error: mypy's
`warn_unused_ignores` and pyright's `reportUnnecessaryTypeIgnoreComment` fail the check if it
stops being one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, assert_type

from pydantic import BaseModel, TypeAdapter

from jobstatus import (
    STATUS_MODELS,
    JobPostingStatus,
    JobPostingStatusValue,
    JobStatus,
    JobStatusValue,
    StrictJobPostingStatus,
    StrictJobStatus,
    UnifiedStatus,
    UnmappedJobPostingStatus,
    UnmappedJobStatus,
    fold_status,
    json_schema,
    status_model,
)
from jobstatus.bulk import InvalidLine, LineResult, ValidLine, validate_lines


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


def constructors() -> None:
    # Every policy's constructor takes a string, as validation does; the field holds the member.
    JobStatus(value="On Hold")
    StrictJobStatus(value="closed")
    UnmappedJobStatus(value="Frozen")
    StrictJobPostingStatus(value="live", source_value=3)
    UnmappedJobPostingStatus(value="Paused", source_value={"id": 4}, reason="kept")
    assert_type(StrictJobStatus(value="closed").value, "JobStatusValue | None")


def models_by_name(name: str) -> None:
    assert_type(status_model(), type[JobStatus])
    assert_type(status_model("job-status"), type[JobStatus])
    assert_type(status_model("job-status", "unmapped"), type[UnmappedJobStatus])
    assert_type(status_model("job-status", "strict"), type[StrictJobStatus])
    assert_type(status_model("job-posting-status"), type[JobPostingStatus])
    assert_type(status_model("job-posting-status", "unmapped"), type[UnmappedJobPostingStatus])
    assert_type(status_model("job-posting-status", "strict"), type[StrictJobPostingStatus])
    assert_type(status_model("job-status").model_validate({}).value, "JobStatusValue | str | None")
    assert_type(STATUS_MODELS["job-status"]["open"], type[UnifiedStatus])


def lines_of_a_model(lines: list[bytes], any_line: ValidLine) -> None:
    assert_type(validate_lines(lines), Iterator[ValidLine[JobStatus] | InvalidLine])
    for result in validate_lines(lines, model=StrictJobStatus):
        if isinstance(result, ValidLine):
            assert_type(result.document, StrictJobStatus)
            assert_type(result.document.value, "JobStatusValue | None")
    adapter = TypeAdapter(JobPostingStatus)
    assert_type(validate_lines(lines, model=adapter), Iterator[LineResult[JobPostingStatus]])
    assert_type(ValidLine(1, JobStatus()).document, JobStatus)
    assert_type(any_line.document, BaseModel)  # a bare ValidLine holds some model


def misuses(status: JobStatus, strict: StrictJobStatus, lines: list[bytes]) -> None:
    narrow: JobStatusValue | None = status.value  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
    json_schema(JobStatus, dialect="draft-07")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    JobStatus(source_value={1, 2})  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    StrictJobStatus(value=5)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    UnmappedJobStatus(source_value={1, 2})  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    strict.value = JobStatusValue.OPEN  # type: ignore[misc]  # mypy only: pyright does not read ConfigDict(frozen)
    status_model("job-status").model_validate({}).value.upper()  # type: ignore[union-attr]  # pyright: ignore[reportOptionalMemberAccess]
    status_model("job-status", "frozen")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType, reportCallIssue]
    validate_lines(lines, model=dict)  # type: ignore[type-var]  # pyright: ignore[reportArgumentType]
    del narrow
