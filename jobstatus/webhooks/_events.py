"""The upstream's webhook bodies and list pages, as typed, immutable models that keep every key.

The envelope is documented by the upstream (its unified events' payload, and the fields its own
example receiver reads); docs/webhooks.md lists each field with its source. Every field is optional,
because the upstream's receiver treats them so, and every key not typed here is kept, at every level.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Literal, Self, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    StrictInt,
    StrictStr,
    Tag,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import CoreSchema, core_schema

from jobstatus._models import JobPostingStatus, JobStatus
from jobstatus._source_value import SourceValue
from jobstatus._unified import UnifiedStatus

__all__ = (
    "WEBHOOK_EVENT_ADAPTER",
    "EventFamily",
    "Job",
    "JobEvent",
    "JobPosting",
    "JobPostingEvent",
    "JobPostingsPage",
    "JobsPage",
    "OtherEvent",
    "WebhookEnvelope",
    "WebhookEvent",
    "WebhookEventType",
    "validate_webhook_event",
)


class WebhookEventType(StrEnum):
    """The documented event types; any other string is kept as it is (see `WebhookEnvelope.event`).

    ```python
    from jobstatus.webhooks import WebhookEventType

    assert WebhookEventType("ats_jobs.updated") is WebhookEventType.ATS_JOBS_UPDATED
    ```
    """

    ATS_JOBS_CREATED = "ats_jobs.created"
    ATS_JOBS_UPDATED = "ats_jobs.updated"
    ATS_JOBS_DELETED = "ats_jobs.deleted"
    ATS_JOB_POSTINGS_CREATED = "ats_job_postings.created"
    ATS_JOB_POSTINGS_UPDATED = "ats_job_postings.updated"
    ATS_JOB_POSTINGS_DELETED = "ats_job_postings.deleted"
    ACCOUNT_CREATED = "account.created"
    ACCOUNT_UPDATED = "account.updated"
    ACCOUNT_DELETED = "account.deleted"
    ACCOUNT_ERROR = "account.error"
    ACCOUNT_EXPIRED = "account.expired"
    REQUEST_FAILED = "request.failed"


# The known member first, tried in pydantic-core; any other string is kept rather than rejected,
# because upstream adds event types without notice.
EventTypeName = Annotated[Union[WebhookEventType, str], Field(union_mode="left_to_right")]

_DEPRECATED: Final[JsonDict] = {"deprecated": True}


def _aware(value: datetime) -> datetime:
    # The upstream does not document a time zone; a naive time is read as UTC rather than refused,
    # because refusing would answer every such delivery 422 and lose it.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


EventTime = Annotated[datetime, AfterValidator(_aware)]
"""An ISO 8601 date-time (or Unix time) as an aware `datetime`; a naive one is taken as UTC."""

RecordId = Annotated[Union[StrictStr, StrictInt], Field(union_mode="left_to_right")]
"""A record id as sent: a string or an integer, never converted to the other."""


class _OpenObject(BaseModel):
    """An immutable object that keeps every key it does not type (`extra='allow'`).

    Kept values are validated as `SourceValue`, not as `Any`: pydantic's JSON parser reads `NaN`,
    `Infinity` and `1e400`, which are not JSON, and as `Any` they were accepted and then stored as
    `null`. As a `SourceValue` they are refused (`finite_number`), so what is accepted is dumped back
    unchanged, within `MAX_SOURCE_VALUE_DEPTH`.
    """

    model_config = ConfigDict(frozen=True, extra="allow")
    # Spelled without the postponed annotation's name lookup: pydantic before 2.13 evaluates this
    # annotation in the namespace of each subclass's module.
    __pydantic_extra__: dict[str, SourceValue] = Field(init=False)


class _Record(_OpenObject):
    """The identifiers every upstream record carries."""

    id: str | None = None
    remote_id: str | None = None


class Job(_Record):
    """The part of a job that this package types; every other field is kept (`extra='allow'`).

    ```python
    from jobstatus import JobStatusValue
    from jobstatus.webhooks import Job

    job = Job.model_validate({"id": "c28xIQ", "job_status": {"value": "On Hold"}, "hiring_team": []})
    assert job.job_status is not None and job.job_status.value is JobStatusValue.ON_HOLD
    assert job.model_extra == {"hiring_team": []}
    ```
    """

    title: str | None = None
    job_status: JobStatus | None = None
    status: str | None = Field(default=None, json_schema_extra=_DEPRECATED)
    """Deprecated upstream in favour of `job_status`; when an event carries only this, `JobEvent`
    infers `job_status` from it with the envelope's `provider`."""


class JobPosting(_Record):
    """The part of a job posting that this package types; every other field is kept.

    A posting's `status` is the `{value, source_value}` object; a plain string (older payloads) is
    kept as a `str`.

    ```python
    from jobstatus import JobPostingStatus, JobPostingStatusValue
    from jobstatus.webhooks import JobPosting

    posting = JobPosting.model_validate({"id": "p1", "status": {"value": "LIVE", "source_value": "Live"}})
    assert isinstance(posting.status, JobPostingStatus) and posting.status.value is JobPostingStatusValue.LIVE
    assert JobPosting.model_validate({"status": "live"}).status == "live"
    ```
    """

    title: str | None = None
    job_id: str | None = None
    status: Annotated[Union[JobPostingStatus, str, None], Field(union_mode="left_to_right")] = None


class WebhookEnvelope(_OpenObject):
    """The fields every upstream event shares, all optional; unknown keys are kept.

    The record is in `event_data` (the documented key) or `data` (on some bodies): `record` is
    `event_data` when the body has that key, else `data`. When a body has both, both are validated
    and kept, and `record` is `event_data`.
    """

    event: EventTypeName | None = None
    event_date: EventTime | None = None
    """When the change happened at the source."""
    sent_at: EventTime | None = None
    """When this delivery was sent (a redelivery of the same event changes only this)."""
    record_type: str | None = None
    record_id: RecordId | None = None
    record_remote_id: RecordId | None = None
    account_id: str | None = None
    project_id: str | None = None
    provider: str | None = None
    """The provider's key (`greenhouse`, `workday`, ...): picks the vocabulary for a plain `status`."""
    origin_owner_id: str | None = None
    origin_owner_name: str | None = None
    origin_username: str | None = None
    raw_event: SourceValue = None
    """The provider's own payload, any JSON value, kept exactly."""

    @property
    def record_status(self) -> UnifiedStatus | str | None:
        """The status the record carries (a job's `job_status`, a posting's `status`), if any."""
        return None


class JobEvent(WebhookEnvelope):
    """An `ats_jobs.*` event: the record is a `Job`, its `job_status` normalized.

    When the record has no `job_status` but the deprecated plain `status`, `job_status` is inferred
    from it with the envelope's `provider` (the generic vocabulary for an unknown provider), the raw
    string kept as `source_value`.

    ```python
    from jobstatus import JobStatusValue
    from jobstatus.webhooks import WEBHOOK_EVENT_ADAPTER, JobEvent, WebhookEventType

    body = '{"event": "ats_jobs.updated", "provider": "workday", "event_data": {"id": "j1", "status": "Frozen"}}'
    event = WEBHOOK_EVENT_ADAPTER.validate_json(body)
    assert isinstance(event, JobEvent) and event.event is WebhookEventType.ATS_JOBS_UPDATED
    assert event.record.job_status is not None
    assert event.record.job_status.value is JobStatusValue.ON_HOLD
    assert event.record.job_status.source_value == "Frozen"
    ```
    """

    event_data: Job | None = None
    data: Job | None = None

    @property
    def record(self) -> Job | None:
        """The job: `event_data` when the body has it, else `data`."""
        return self.event_data if "event_data" in self.model_fields_set else self.data

    @property
    def record_status(self) -> JobStatus | None:
        """The job's `job_status`, if any."""
        record = self.record
        return None if record is None else record.job_status

    @model_validator(mode="after")
    def _infer_job_status(self) -> Self:
        updates = {name: _with_inferred_status(job, self.provider) for name, job in self._jobs()}
        updates = {name: job for name, job in updates.items() if job is not None}
        return self.model_copy(update=updates) if updates else self

    def _jobs(self) -> list[tuple[str, Job]]:
        return [(name, job) for name in ("event_data", "data") if isinstance(job := getattr(self, name), Job)]


def _with_inferred_status(job: Job, provider: str | None) -> Job | None:
    """`job` with `job_status` inferred from its plain `status`, or `None` when there is nothing to infer."""
    if job.status is None or "job_status" in job.model_fields_set:
        return None
    from jobstatus.providers import UnknownProviderError, infer_status  # the vocabularies load only when needed

    try:
        status = infer_status(job.status, provider)  # provider ids match in any case
    except UnknownProviderError:  # a provider without a table reads the generic vocabulary
        status = infer_status(job.status)
    return job.model_copy(update={"job_status": status})


class JobPostingEvent(WebhookEnvelope):
    """An `ats_job_postings.*` event: the record is a `JobPosting`."""

    event_data: JobPosting | None = None
    data: JobPosting | None = None

    @property
    def record(self) -> JobPosting | None:
        """The job posting: `event_data` when the body has it, else `data`."""
        return self.event_data if "event_data" in self.model_fields_set else self.data

    @property
    def record_status(self) -> JobPostingStatus | str | None:
        """The posting's `status`, if any: the object, or the plain string of older payloads."""
        record = self.record
        return None if record is None else record.status


class OtherEvent(WebhookEnvelope):
    """Any other event (`account.*`, `ats_candidates.*`, a type not known yet): the record is kept as JSON.

    ```python
    from jobstatus.webhooks import WEBHOOK_EVENT_ADAPTER, OtherEvent

    event = WEBHOOK_EVENT_ADAPTER.validate_python({"event": "ats_candidates.created", "event_data": {"x": 1}})
    assert isinstance(event, OtherEvent) and event.record == {"x": 1}
    ```
    """

    event_data: SourceValue = None
    data: SourceValue = None

    @property
    def record(self) -> SourceValue:
        """The record as JSON: `event_data` when the body has it, else `data`."""
        return self.event_data if "event_data" in self.model_fields_set else self.data


EventFamily = Literal["ats_jobs", "ats_job_postings", "other"]


def _event_family(value: Any) -> EventFamily | None:
    """The discriminator of `WebhookEvent`: the family is the event type's prefix, so a new job
    event type (`ats_jobs.archived`) still gets a typed `Job`. Anything but an object is `None`,
    which pydantic reports as `webhook_envelope_type`."""
    if isinstance(value, WebhookEnvelope):
        event: Any = value.event
    elif isinstance(value, dict):
        event = value.get("event")
    else:
        return None
    if isinstance(event, str):
        prefix = event.partition(".")[0]
        if prefix == "ats_jobs":
            return "ats_jobs"
        if prefix == "ats_job_postings":
            return "ats_job_postings"
    return "other"


_FAMILY_MODELS: Final[dict[EventFamily, type[WebhookEnvelope]]] = {
    "ats_jobs": JobEvent,
    "ats_job_postings": JobPostingEvent,
    "other": OtherEvent,
}

WebhookEvent = Annotated[
    Union[
        Annotated[JobEvent, Tag("ats_jobs")],
        Annotated[JobPostingEvent, Tag("ats_job_postings")],
        Annotated[OtherEvent, Tag("other")],
    ],
    Discriminator(
        _event_family,
        custom_error_type="webhook_envelope_type",
        custom_error_message="Input should be a webhook event object",
    ),
]
"""A webhook body: a `JobEvent`, `JobPostingEvent` or `OtherEvent`, picked by the prefix of `event`.

As in every pydantic tagged union, an error `loc` names the family first:
`("ats_jobs", "event_data", "job_status", "value")`.
"""

WEBHOOK_EVENT_ADAPTER: TypeAdapter[JobEvent | JobPostingEvent | OtherEvent] = TypeAdapter(WebhookEvent)
"""Built once: the exact validator of `WebhookEvent`. `validate_webhook_event(body)` gives the same
results and errors, faster for the documented event types."""


class _ByDocumentedEventType:
    """The fast path's schema, as an `Annotated` marker on the union of the event models: a tagged
    union keyed by the exact value of `event`, one choice per `WebhookEventType` member, each the
    model its family picks (`_event_family`, the one home of that rule).

    pydantic-core reads the tag from the parsed JSON and validates the chosen model on it: the
    body is never turned into Python objects first, as the callable discriminator of
    `WebhookEvent` must. An event type that is not documented, a missing or non-string `event`, or
    anything else that fails is left to `WEBHOOK_EVENT_ADAPTER` (see `validate_webhook_event`).
    """

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        models = {family: handler.generate_schema(model) for family, model in _FAMILY_MODELS.items()}
        choices: dict[Any, CoreSchema] = {}
        for member in WebhookEventType:
            family = _event_family({"event": member.value})
            assert family is not None  # an object always has a family
            choices[member.value] = models[family]
        return core_schema.tagged_union_schema(choices, discriminator="event")


_DOCUMENTED_EVENT_ADAPTER: Final[TypeAdapter[JobEvent | JobPostingEvent | OtherEvent]] = TypeAdapter(
    Annotated[Union[JobEvent, JobPostingEvent, OtherEvent], _ByDocumentedEventType()]
)
_validate_documented_event = _DOCUMENTED_EVENT_ADAPTER.validator.validate_json
"""The fast path alone: raises `ValidationError` for every body it leaves to today's path."""


def validate_webhook_event(body: str | bytes | bytearray) -> JobEvent | JobPostingEvent | OtherEvent:
    """Validate a webhook body (JSON) as `WEBHOOK_EVENT_ADAPTER.validate_json(body)` does, faster.

    A body whose `event` is a documented type (a `WebhookEventType` value, exactly) is validated
    by a tagged union on that value inside pydantic-core, the chosen model validated on the parsed
    JSON. Every other body, and every body the fast path refuses for any reason, is validated again
    by `WEBHOOK_EVENT_ADAPTER`, so each result (its class, values, `model_fields_set`, the inferred
    `job_status`) and each error (`type`, `loc`, `msg`) is exactly that adapter's.

    Raises:
        pydantic.ValidationError: the body is not a valid event, exactly as `WEBHOOK_EVENT_ADAPTER` says.

    ```python
    import pydantic
    from jobstatus.webhooks import WEBHOOK_EVENT_ADAPTER, JobEvent, validate_webhook_event

    body = b'{"event": "ats_jobs.updated", "provider": "workday", "data": {"id": "j1", "status": "Frozen"}}'
    event = validate_webhook_event(body)
    assert isinstance(event, JobEvent) and event == WEBHOOK_EVENT_ADAPTER.validate_json(body)
    try:
        validate_webhook_event(b'{"event": "ats_jobs.updated", "data": 1}')
    except pydantic.ValidationError as error:
        assert error.errors()[0]["loc"] == ("ats_jobs", "data")  # today's loc, the family first
    else:
        raise AssertionError("a record that is not an object is refused")
    ```
    """
    try:
        event: JobEvent | JobPostingEvent | OtherEvent = _validate_documented_event(body)
    except ValidationError:
        return WEBHOOK_EVENT_ADAPTER.validate_json(body)
    return event


class JobsPage(_OpenObject):
    """A page of the upstream's job list (`JobsPaginated`): `data`, the `next` cursor and `raw`.

    Each error is located at its record, `("data", i, ...)`.

    ```python
    from jobstatus import JobStatusValue
    from jobstatus.webhooks import JobsPage

    page = JobsPage.model_validate_json('{"data": [{"id": "j1", "job_status": {"value": "Open"}}], "next": "c2"}')
    assert page.data[0].job_status is not None and page.data[0].job_status.value is JobStatusValue.OPEN
    assert page.next == "c2"
    ```
    """

    data: list[Job] = Field(default_factory=list)
    next: str | None = None
    raw: SourceValue = None


class JobPostingsPage(_OpenObject):
    """A page of the upstream's job posting list (`JobPostingsPaginated`)."""

    data: list[JobPosting] = Field(default_factory=list)
    next: str | None = None
    raw: SourceValue = None
