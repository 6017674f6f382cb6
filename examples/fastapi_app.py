"""A runnable job-webhook receiver: verify, validate, log every event once, serve each record's current state.

Run it with `make serve`, after exporting the signing secret:

    JOBSTATUS_WEBHOOK_SECRET   the signing secret(s), space-separated while rotating (required)
    JOBSTATUS_WEBHOOK_SCHEME   "stackone" (the upstream's signature, the default), "standard", "hmac" or "token"
    JOBSTATUS_DB               the SQLite file (default: jobstatus-webhooks.db in the working directory)

Routes:

- `POST /webhooks` logs each accepted event once under its idempotency key and applies it to the
  projection (see `examples.store` for the rules); a redelivery is answered 200 again, `duplicate: true`.
- `GET /jobs/{id}` and `GET /job-postings/{id}`: the record's current state, its fields as stored
  (a field no event carried is absent, not null); 404 when no event named it.
- `GET /jobs/{id}/history` and `GET /job-postings/{id}/history`: every logged event about the record,
  oldest first by event time.

The store is any `examples.store.EventStore`; `create_app` takes one, `app_from_env` builds the SQLite one.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI, HTTPException, Response
from pydantic import BaseModel, TypeAdapter

from examples.store import EventStore, LoggedEvent, RecordKind, RecordState, SqliteEventStore
from jobstatus import JobPostingStatus, JobStatus
from jobstatus.fastapi import VerifiedWebhook, configure_webhooks
from jobstatus.webhooks import (
    HmacSha256Scheme,
    Job,
    JobEvent,
    JobPosting,
    JobPostingEvent,
    QueryTokenScheme,
    StackOneScheme,
    StandardWebhooksScheme,
    WebhookConfig,
    WebhookDelivery,
    WebhookScheme,
)

SCHEMES: Final = ("stackone", "standard", "hmac", "token")


class Receipt(BaseModel):
    """What `POST /webhooks` answers: the key the event is logged under, and whether it was already."""

    key: str
    duplicate: bool


class JobState(BaseModel):
    """A job's current state: each field from the newest event (in event time) that carried it."""

    id: str
    deleted: bool
    event_time: datetime
    """The event time of the newest event applied."""
    job: Job
    """The job's fields as stored; a field no event carried is absent."""


class JobPostingState(BaseModel):
    """A job posting's current state, as `JobState`."""

    id: str
    deleted: bool
    event_time: datetime
    job_posting: JobPosting


class JobHistoryEntry(BaseModel):
    """One logged event about a job."""

    key: str
    event: str
    event_time: datetime
    received_at: datetime
    job_status: JobStatus | None
    """The status this event carried, or null when it carried none (the job's status did not change)."""
    job: Job
    """The fields this event carried."""


class JobPostingHistoryEntry(BaseModel):
    """One logged event about a job posting."""

    key: str
    event: str
    event_time: datetime
    received_at: datetime
    status: JobPostingStatus | str | None
    job_posting: JobPosting


def scheme_from_env() -> WebhookScheme:
    """The verification scheme named by the environment (the upstream's unless told otherwise)."""
    secrets = tuple(os.environ.get("JOBSTATUS_WEBHOOK_SECRET", "").split())
    if not secrets:
        raise RuntimeError("set JOBSTATUS_WEBHOOK_SECRET to the webhook signing secret")
    name = os.environ.get("JOBSTATUS_WEBHOOK_SCHEME", "stackone")
    if name == "stackone":
        return StackOneScheme(secrets=secrets)
    if name == "standard":
        return StandardWebhooksScheme(secrets=secrets)
    if name == "hmac":
        return HmacSha256Scheme(secrets=secrets)
    if name == "token":
        return QueryTokenScheme(secrets=secrets)
    raise RuntimeError(f"JOBSTATUS_WEBHOOK_SCHEME must be one of {', '.join(SCHEMES)}, not {name!r}")


class RedactQuery(logging.Filter):
    """Blanks every query value in uvicorn's access log lines: a `?token=` secret is never written.

    uvicorn logs the request target, query included, as the third argument of each access record.
    Each `name=value` becomes `name=[redacted]`; a part without `=` is redacted whole.

    ```python
    import logging
    from examples.fastapi_app import RedactQuery

    args = ("POST", "/webhooks?token=s3cret&a", 200)
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, "%s %s %s", args, None)
    assert RedactQuery().filter(record)
    assert record.getMessage() == "POST /webhooks?token=[redacted]&[redacted] 200"
    ```
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(redact_query(arg) if isinstance(arg, str) else arg for arg in args)
        return True


def redact_query(target: str) -> str:
    """`target` with every query value replaced by `[redacted]` (unchanged when it has no query)."""
    path, mark, query = target.partition("?")
    if not mark:
        return target
    parts = (part.partition("=") for part in query.split("&"))
    redacted = [f"{name}=[redacted]" if equals else "[redacted]" for name, equals, _ in parts]
    return f"{path}?{'&'.join(redacted)}"


def install_log_redaction() -> None:
    """Add `RedactQuery` to uvicorn's access logger, once however many apps are built."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, RedactQuery) for existing in logger.filters):
        logger.addFilter(RedactQuery())


def logged_event(delivery: WebhookDelivery) -> LoggedEvent:
    """The log entry of a delivery: its key and times, and the record it is about (if any)."""
    event = delivery.event
    kind: RecordKind | None = None
    fields: dict[str, Any] = {}
    record_id: str | None = None
    if isinstance(event, JobEvent | JobPostingEvent):
        kind = "job" if isinstance(event, JobEvent) else "job_posting"
        record = event.record
        if record is not None:
            fields = record.model_dump(mode="json", exclude_unset=True)
            record_id = record.id
        if record_id is None and event.record_id is not None:
            record_id = str(event.record_id)
    return LoggedEvent(
        key=delivery.idempotency_key,
        event=str(event.event),
        kind=kind if record_id is not None else None,
        record_id=record_id,
        event_time=delivery.event_time,
        received_at=delivery.received_at,
        fields=fields,
        body=event.model_dump(mode="json", exclude_unset=True),
    )


_JOB_HISTORY: Final = TypeAdapter(list[JobHistoryEntry])
_POSTING_HISTORY: Final = TypeAdapter(list[JobPostingHistoryEntry])


def _as_stored(content: bytes) -> Response:
    # Every answer is dumped with exclude_unset: a field that never came is left out (no
    # `"source_value": null` that was never sent), and an explicit null stays. The routes return this
    # Response themselves; their `response_model` is there for the OpenAPI document.
    return Response(content, media_type="application/json")


def _entry(event: LoggedEvent) -> dict[str, Any]:
    return {"key": event.key, "event": event.event, "event_time": event.event_time, "received_at": event.received_at}


def create_app(config: WebhookConfig, store: EventStore) -> FastAPI:
    """Build the receiver for one config and one store (the tests call this directly)."""
    install_log_redaction()
    app = FastAPI(title="jobstatus webhook receiver")
    configure_webhooks(app, config)

    def current(kind: RecordKind, record_id: str) -> RecordState:
        state = store.current(kind, record_id)
        if state is None:
            raise HTTPException(status_code=404, detail=f"Unknown {kind.replace('_', ' ')}")
        return state

    def history(kind: RecordKind, record_id: str) -> list[LoggedEvent]:
        current(kind, record_id)  # 404 for an unknown record, rather than an empty history
        return store.history(kind, record_id)

    @app.post("/webhooks", response_model=Receipt)
    def receive(delivery: VerifiedWebhook) -> Receipt:
        new = store.append(logged_event(delivery))
        # A redelivery of an event already logged changes nothing, and is still answered 200.
        return Receipt(key=delivery.idempotency_key, duplicate=not new)

    @app.get("/jobs/{job_id}", response_model=JobState)
    def read_job(job_id: str) -> Response:
        state = current("job", job_id)
        job = Job.model_validate(state.fields)
        answer = JobState(id=state.id, deleted=state.deleted, event_time=state.event_time, job=job)
        return _as_stored(answer.model_dump_json(exclude_unset=True).encode())

    @app.get("/jobs/{job_id}/history", response_model=list[JobHistoryEntry])
    def read_job_history(job_id: str) -> Response:
        entries = []
        for event in history("job", job_id):
            job = Job.model_validate(event.fields)
            entries.append(JobHistoryEntry(**_entry(event), job_status=job.job_status, job=job))
        return _as_stored(_JOB_HISTORY.dump_json(entries, exclude_unset=True))

    @app.get("/job-postings/{posting_id}", response_model=JobPostingState)
    def read_job_posting(posting_id: str) -> Response:
        state = current("job_posting", posting_id)
        posting = JobPosting.model_validate(state.fields)
        answer = JobPostingState(id=state.id, deleted=state.deleted, event_time=state.event_time, job_posting=posting)
        return _as_stored(answer.model_dump_json(exclude_unset=True).encode())

    @app.get("/job-postings/{posting_id}/history", response_model=list[JobPostingHistoryEntry])
    def read_job_posting_history(posting_id: str) -> Response:
        entries = []
        for event in history("job_posting", posting_id):
            posting = JobPosting.model_validate(event.fields)
            entries.append(JobPostingHistoryEntry(**_entry(event), status=posting.status, job_posting=posting))
        return _as_stored(_POSTING_HISTORY.dump_json(entries, exclude_unset=True))

    return app


def app_from_env() -> FastAPI:
    """The app `make serve` runs (`uvicorn --factory examples.fastapi_app:app_from_env`), configured from
    the environment; a factory, so that importing this module needs no secret."""
    store = SqliteEventStore(Path(os.environ.get("JOBSTATUS_DB", "jobstatus-webhooks.db")))
    return create_app(WebhookConfig(scheme_from_env()), store)
