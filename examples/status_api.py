"""A small status API: the models as a request body, a query parameter and a response model, behind
`install(app)`, with a verified webhook route beside them.

Run it with `uvicorn --factory examples.status_api:create_app` (the webhook route then takes the
query token in `JOBSTATUS_WEBHOOK_SECRET`, default `change-me`). Every route answers hostile input
(NaN, lone surrogates, deep nesting, huge strings) with a 4xx, never a 500.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from jobstatus import JobStatus
from jobstatus.fastapi import JobStatusParam, VerifiedWebhook, configure_webhooks
from jobstatus.webhooks import QueryTokenScheme, WebhookConfig


class Job(BaseModel):
    """A user's own model with a job status nested in it."""

    id: str
    title: str | None = None
    status: JobStatus
    salary: float | None = None


def create_app(config: WebhookConfig | None = None) -> FastAPI:
    """The app; `config` defaults to a query token read from `JOBSTATUS_WEBHOOK_SECRET`."""
    app = FastAPI(
        title="jobstatus status API",
        version="1",
        description="Job statuses normalized by jobstatus.",
        license_info={"name": "MIT", "identifier": "MIT"},
        servers=[{"url": "http://127.0.0.1:8000"}],
    )
    if config is None:
        config = WebhookConfig(QueryTokenScheme(secrets=(os.environ.get("JOBSTATUS_WEBHOOK_SECRET", "change-me"),)))
    configure_webhooks(app, config)  # also install(app)
    jobs: dict[str, Job] = {}
    public: dict[str, Any] = {"security": []}  # said in the OpenAPI document: these routes take no credentials

    @app.put("/jobs/{job_id}", tags=["jobs"], openapi_extra=public)
    def put_job(job_id: str, job: Job) -> Job:
        """Store a job; its status arrives normalized (a body)."""
        jobs[job_id] = job
        return job

    @app.post("/statuses", tags=["statuses"], openapi_extra=public)
    def normalize(statuses: list[JobStatus]) -> list[JobStatus]:
        """Normalize a list of statuses (a list body and a response model)."""
        return statuses

    @app.get("/jobs", tags=["jobs"], openapi_extra=public)
    def find_jobs(status: JobStatusParam) -> list[Job]:
        """The jobs with one status, named in any spelling: `?status=On Hold` (a query parameter)."""
        return [job for job in jobs.values() if job.status.value == status]

    @app.get("/statuses/{status}", tags=["statuses"], openapi_extra=public)
    def read_status(status: JobStatusParam) -> JobStatus:
        """A status named in the path, as the unified object (a path parameter and a response model)."""
        return JobStatus(value=status, source_value=None)

    @app.post("/webhooks", tags=["webhooks"])
    def receive(delivery: VerifiedWebhook) -> dict[str, str]:
        """Receive one verified job webhook."""
        return {"key": delivery.idempotency_key}

    return app
