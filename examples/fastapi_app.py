"""A runnable job-webhook receiver: verify, validate, store once per event, serve the latest status.

Run it with `make serve`, after exporting the signing secret:

    JOBSTATUS_WEBHOOK_SECRET   the signing secret(s), space-separated while rotating (required)
    JOBSTATUS_WEBHOOK_SCHEME   "stackone" (the upstream's signature, the default), "standard", "hmac" or "token"
    JOBSTATUS_DB               the SQLite file (default: jobstatus-webhooks.db in the working directory)

Routes: `POST /webhooks` stores each accepted event under its idempotency key, so a retried delivery
is stored once and answered 200 again; `GET /jobs/{id}` returns the latest job status (404 if unknown).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from jobstatus import JobStatus
from jobstatus.fastapi import VerifiedWebhook, configure_webhooks
from jobstatus.webhooks import (
    HmacSha256Scheme,
    JobEvent,
    QueryTokenScheme,
    StackOneScheme,
    StandardWebhooksScheme,
    WebhookConfig,
    WebhookEventType,
    WebhookScheme,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    key TEXT PRIMARY KEY,      -- the delivery's idempotency key
    type TEXT NOT NULL,
    body TEXT NOT NULL         -- the validated event, every field kept
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    remote_id TEXT,
    title TEXT,
    job_status TEXT,           -- the normalized JobStatus as JSON, or NULL
    event_key TEXT NOT NULL
);
"""


class StoredJob(BaseModel):
    """What `GET /jobs/{id}` answers: the job's latest normalized status and the event it came from."""

    id: str
    remote_id: str | None
    title: str | None
    job_status: JobStatus | None
    event_key: str


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
    raise RuntimeError(f"JOBSTATUS_WEBHOOK_SCHEME must be stackone, standard, hmac or token, not {name!r}")


def create_app(config: WebhookConfig, db_path: Path) -> FastAPI:
    """Build the receiver for one config and one SQLite file (the tests call this directly)."""
    app = FastAPI(title="jobstatus webhook receiver")
    configure_webhooks(app, config)
    with closing(sqlite3.connect(db_path)) as connection:
        # Write-ahead logging: readers (GET /jobs) never wait for a writer, nor a writer for them.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(_SCHEMA)

    def connect() -> sqlite3.Connection:
        # One connection per request: routes run in a thread pool, and sqlite3 connections must not
        # cross threads. Autocommit, so that each transaction is begun explicitly, as below.
        return sqlite3.connect(db_path, timeout=10, isolation_level=None)

    # SQLite lets one writer in at a time, and makes the others poll for its lock with growing
    # sleeps: under 50 concurrent deliveries a poller could lose for the whole timeout and the
    # delivery was answered 500 ("database is locked"). This lock queues the writers of this process
    # instead; SQLite's own timeout remains for writers in other processes.
    write_lock = threading.Lock()

    @contextmanager
    def transaction() -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes SQLite's write lock before anything is read, so a transaction never
        # has to upgrade a read lock, which SQLite may refuse at once to avoid a deadlock.
        with write_lock, closing(connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @app.post("/webhooks")
    def receive(delivery: VerifiedWebhook) -> dict[str, object]:
        event = delivery.event
        with transaction() as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO events (key, type, body) VALUES (?, ?, ?)",
                (delivery.idempotency_key, str(event.event), event.model_dump_json()),
            ).rowcount
            # A retry of an event already stored changes nothing, and is still answered 200.
            if inserted and isinstance(event, JobEvent) and event.record is not None and event.record.id is not None:
                job = event.record
                if event.event == WebhookEventType.ATS_JOBS_DELETED:
                    db.execute("DELETE FROM jobs WHERE id = ?", (job.id,))
                else:
                    status = None if job.job_status is None else job.job_status.model_dump_json()
                    db.execute(
                        "INSERT OR REPLACE INTO jobs (id, remote_id, title, job_status, event_key)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (job.id, job.remote_id, job.title, status, delivery.idempotency_key),
                    )
        return {"key": delivery.idempotency_key, "duplicate": not inserted}

    @app.get("/jobs/{job_id}")
    def read_job(job_id: str) -> StoredJob:
        with closing(connect()) as db:
            row = db.execute(
                "SELECT id, remote_id, title, job_status, event_key FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
        if row is None:
            raise HTTPException(status_code=404, detail="Unknown job")
        status = None if row[3] is None else JobStatus.model_validate_json(row[3])
        return StoredJob(id=row[0], remote_id=row[1], title=row[2], job_status=status, event_key=row[4])

    return app


def app_from_env() -> FastAPI:
    """The app `make serve` runs (`uvicorn --factory examples.fastapi_app:app_from_env`), configured from
    the environment; a factory, so that importing this module needs no secret."""
    db_path = Path(os.environ.get("JOBSTATUS_DB", "jobstatus-webhooks.db"))
    return create_app(WebhookConfig(scheme_from_env()), db_path)
