"""The app tests/test_fastapi_server.py serves under uvicorn: examples/status_api.py, plus a webhook
route that counts what reached it and a route that returns an invalid response."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from examples.status_api import create_app
from jobstatus import JobStatus
from jobstatus.fastapi import VerifiedWebhook
from jobstatus.webhooks import QueryTokenScheme, WebhookConfig

TOKEN = "server-token"
LIMIT = 64 * 1024
BODY_TIMEOUT = 0.5


def create() -> FastAPI:
    app = create_app(
        WebhookConfig(QueryTokenScheme(secrets=(TOKEN,)), max_body_size=LIMIT, body_timeout_seconds=BODY_TIMEOUT)
    )
    received: list[str] = []

    @app.post("/counted")
    def counted(delivery: VerifiedWebhook) -> int:
        received.append(delivery.idempotency_key)
        return len(received)

    @app.get("/counted")
    def count() -> int:
        return len(received)

    @app.post("/echo", response_model=JobStatus)
    def echo(body: dict[str, Any]) -> Any:
        return body  # unvalidated: the response model refuses what the status model would

    return app
