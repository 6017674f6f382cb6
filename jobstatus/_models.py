"""The job and job-posting status models, one per unknown-value policy, built from `_unified`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Final, Literal, Union, overload

from ._source_value import SourceValue
from ._unified import UnifiedStatus, UnifiedValue, UnknownValuePolicy
from ._values import JobPostingStatusValue, JobStatusValue

__all__ = (
    "STATUS_MODELS",
    "JobPostingStatus",
    "JobStatus",
    "StatusModelName",
    "StrictJobPostingStatus",
    "StrictJobStatus",
    "UnmappedJobPostingStatus",
    "UnmappedJobStatus",
    "status_model",
)


class JobStatus(UnifiedStatus):
    """A job's status as the unified API sends it; unknown `value` strings are kept as they are.

    A known value, in any spelling, becomes a `JobStatusValue`; an unknown one stays a plain `str`,
    so `isinstance(status.value, JobStatusValue)` tells them apart.

    ```python
    from jobstatus import JobStatus, JobStatusValue

    status = JobStatus.model_validate_json('{"value": "On Hold", "source_value": "On Hold"}')
    assert status.value is JobStatusValue.ON_HOLD
    assert status.model_dump_json() == '{"source_value":"On Hold","value":"on_hold"}'

    unknown = JobStatus.model_validate({"value": "Frozen"})
    assert unknown.value == "Frozen" and not isinstance(unknown.value, JobStatusValue)
    ```
    """

    value: Annotated[Union[JobStatusValue, str, None], UnifiedValue(JobStatusValue, "open")] = None
    """The unified status: a `JobStatusValue`, or the sender's string when it names none."""


class UnmappedJobStatus(UnifiedStatus):
    """A job's status where an unknown `value` becomes `unmapped_value`, its text kept in `source_value`.

    ```python
    from jobstatus import JobStatusValue, UnmappedJobStatus

    status = UnmappedJobStatus.model_validate({"value": "Frozen"})
    assert status.value is JobStatusValue.UNMAPPED_VALUE
    assert status.source_value == "Frozen"
    ```
    """

    value: Annotated[Union[JobStatusValue, None], UnifiedValue(JobStatusValue, "unmapped")] = None

    if TYPE_CHECKING:  # the constructor takes any string, as validation does: the field's type is what it becomes

        def __init__(
            self, *, value: str | None = None, source_value: SourceValue = None, **extra: SourceValue
        ) -> None: ...


class StrictJobStatus(UnifiedStatus):
    """A job's status where an unknown `value` is a validation error that suggests the closest value.

    ```python
    import pytest
    from pydantic import ValidationError
    from jobstatus import StrictJobStatus

    with pytest.raises(ValidationError) as caught:
        StrictJobStatus.model_validate({"value": "on hodl"})
    assert caught.value.errors()[0]["type"] == "status_value_unknown"
    assert "did you mean 'on_hold'?" in caught.value.errors()[0]["msg"]
    ```
    """

    value: Annotated[Union[JobStatusValue, None], UnifiedValue(JobStatusValue, "strict")] = None

    if TYPE_CHECKING:  # the constructor takes any string, as validation does: the field's type is what it becomes

        def __init__(
            self, *, value: str | None = None, source_value: SourceValue = None, **extra: SourceValue
        ) -> None: ...


class JobPostingStatus(UnifiedStatus):
    """A job posting's status; unknown `value` strings are kept as they are.

    ```python
    from jobstatus import JobPostingStatus, JobPostingStatusValue

    assert JobPostingStatus.model_validate({"value": "LIVE"}).value is JobPostingStatusValue.LIVE
    ```
    """

    value: Annotated[Union[JobPostingStatusValue, str, None], UnifiedValue(JobPostingStatusValue, "open")] = None


class UnmappedJobPostingStatus(UnifiedStatus):
    """A job posting's status where an unknown `value` becomes `unmapped_value`.

    ```python
    from jobstatus import JobPostingStatusValue, UnmappedJobPostingStatus

    status = UnmappedJobPostingStatus.model_validate({"value": "Paused", "source_value": {"id": 4}})
    assert status.value is JobPostingStatusValue.UNMAPPED_VALUE
    assert status.source_value == {"id": 4}  # an existing source_value is never overwritten
    ```
    """

    value: Annotated[Union[JobPostingStatusValue, None], UnifiedValue(JobPostingStatusValue, "unmapped")] = None

    if TYPE_CHECKING:  # the constructor takes any string, as validation does: the field's type is what it becomes

        def __init__(
            self, *, value: str | None = None, source_value: SourceValue = None, **extra: SourceValue
        ) -> None: ...


class StrictJobPostingStatus(UnifiedStatus):
    """A job posting's status where an unknown `value` is a validation error.

    ```python
    from pydantic import ValidationError
    from jobstatus import StrictJobPostingStatus

    try:
        StrictJobPostingStatus.model_validate({"value": "open"})  # a job status, not a posting status
    except ValidationError as error:
        assert error.errors()[0]["type"] == "status_value_unknown"
    ```
    """

    value: Annotated[Union[JobPostingStatusValue, None], UnifiedValue(JobPostingStatusValue, "strict")] = None

    if TYPE_CHECKING:  # the constructor takes any string, as validation does: the field's type is what it becomes

        def __init__(
            self, *, value: str | None = None, source_value: SourceValue = None, **extra: SourceValue
        ) -> None: ...


StatusModelName = Literal["job-status", "job-posting-status"]

STATUS_MODELS: Final[Mapping[StatusModelName, Mapping[UnknownValuePolicy, type[UnifiedStatus]]]] = {
    "job-status": {"open": JobStatus, "unmapped": UnmappedJobStatus, "strict": StrictJobStatus},
    "job-posting-status": {
        "open": JobPostingStatus,
        "unmapped": UnmappedJobPostingStatus,
        "strict": StrictJobPostingStatus,
    },
}
"""The one map from a status object's name and an unknown-value policy to its model class.

The command line's `--model` and `--policy` choices are its keys.
"""


@overload
def status_model(name: Literal["job-status"] = ..., policy: Literal["open"] = ...) -> type[JobStatus]: ...
@overload
def status_model(name: Literal["job-status"], policy: Literal["unmapped"]) -> type[UnmappedJobStatus]: ...
@overload
def status_model(name: Literal["job-status"], policy: Literal["strict"]) -> type[StrictJobStatus]: ...
@overload
def status_model(name: Literal["job-posting-status"], policy: Literal["open"] = ...) -> type[JobPostingStatus]: ...
@overload
def status_model(
    name: Literal["job-posting-status"], policy: Literal["unmapped"]
) -> type[UnmappedJobPostingStatus]: ...
@overload
def status_model(name: Literal["job-posting-status"], policy: Literal["strict"]) -> type[StrictJobPostingStatus]: ...
@overload
def status_model(name: StatusModelName = ..., policy: UnknownValuePolicy = ...) -> type[UnifiedStatus]: ...
def status_model(name: StatusModelName = "job-status", policy: UnknownValuePolicy = "open") -> type[UnifiedStatus]:
    """The model class of a status object under an unknown-value policy (see `STATUS_MODELS`).

    Raises:
        KeyError: `name` or `policy` is not one of the names above.

    ```python
    from jobstatus import StrictJobPostingStatus, UnmappedJobStatus
    from jobstatus import status_model

    assert status_model("job-status", "unmapped") is UnmappedJobStatus
    assert status_model("job-posting-status", "strict") is StrictJobPostingStatus
    ```
    """
    return STATUS_MODELS[name][policy]
