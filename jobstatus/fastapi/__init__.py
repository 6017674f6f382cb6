"""FastAPI without a 500 (the `jobstatus[fastapi]` extra): `install(app)`, the webhook dependency and
status parameters that fold.

`install(app)` makes every route safe to feed hostile input: its 422 answers keep FastAPI's
`{"detail": [...]}` shape but echo what JSON cannot carry as text and stay bounded (`echo_errors`), a
route returning an invalid response is a plain JSON 500 with no input in it, and the OpenAPI
document describes the webhook routes. `configure_webhooks` calls it.

`VerifiedWebhook` is the ready dependency: it streams the body under the size limit, verifies it
with the app's `WebhookConfig` (set once with `configure_webhooks`), validates the bytes with the
adapter built at import, and answers failures the FastAPI way: 400 (malformed length), 401 (no
secret or expected signature is ever echoed), 408 (the body did not arrive in time), 413, 415, and
422 with FastAPI's own `{"detail": [...]}` body.

```python
import asyncio
import httpx
from fastapi import FastAPI
from jobstatus.fastapi import VerifiedWebhook, configure_webhooks
from jobstatus.webhooks import QueryTokenScheme, WebhookConfig

app = FastAPI()
configure_webhooks(app, WebhookConfig(QueryTokenScheme(secrets=("s3cret",))))

@app.post("/webhooks")
def receive(delivery: VerifiedWebhook) -> dict[str, str]:
    return {"event": str(delivery.event.event), "time": delivery.event_time.isoformat()}

async def post(url: str) -> httpx.Response:
    body = {"event": "ats_jobs.updated", "event_date": "2025-01-02T03:04:05Z", "event_data": {"id": "c28xIQ"}}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return await client.post(url, json=body)

answer = asyncio.run(post("/webhooks?token=s3cret")).json()
assert answer == {"event": "ats_jobs.updated", "time": "2025-01-02T03:04:05+00:00"}
assert asyncio.run(post("/webhooks?token=wrong")).status_code == 401
```
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

try:
    import fastapi  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError("jobstatus.fastapi needs FastAPI: pip install 'jobstatus[fastapi]'") from error

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError, ResponseValidationError

from jobstatus.webhooks import WebhookConfig

from ._errors import (
    MAX_ECHOED_DEPTH,
    MAX_ECHOED_ERRORS,
    MAX_ECHOED_NODES,
    MAX_ECHOED_STRING,
    echo,
    echo_errors,
    request_validation_handler,
    response_validation_handler,
)
from ._openapi import document_webhooks
from ._params import FoldedParameter, JobPostingStatusParam, JobStatusParam
from ._receiving import (
    STATE_KEY,
    VerifiedWebhook,
    check_webhooks_configured,
    receive,
    verified_webhook,
    webhook_dependency,
)
from ._receiving import _validation_error as _validation_error  # the fuzz target renders the webhook 422 with it

__all__ = (
    "MAX_ECHOED_DEPTH",
    "MAX_ECHOED_ERRORS",
    "MAX_ECHOED_NODES",
    "MAX_ECHOED_STRING",
    "FoldedParameter",
    "JobPostingStatusParam",
    "JobStatusParam",
    "VerifiedWebhook",
    "configure_webhooks",
    "echo",
    "echo_errors",
    "install",
    "receive",
    "verified_webhook",
    "webhook_dependency",
)

_INSTALLED = "jobstatus_installed"


def install(app: FastAPI) -> None:
    """Make `app` answer hostile input with a 4xx, never a 500; idempotent.

    - `RequestValidationError` (any route's body, query, path, header or cookie): FastAPI's 422
      `{"detail": [...]}`, every error echoed by `echo_errors` (non-finite numbers as `"NaN"`, lone
      surrogates as their `\\uXXXX` escape, long strings and deep inputs cut, at most
      `MAX_ECHOED_ERRORS` errors). It covers users' own models too, float fields included.
    - `ResponseValidationError` (a route returned what its response model refuses): still 500, the
      server's fault, but `{"detail": "Internal Server Error"}` with no input, and one log line on the
      `jobstatus.fastapi` logger instead of a traceback.
    - `app.openapi()` documents the webhook routes (see `document_webhooks`).
    - When the app starts (its lifespan, which uvicorn and `with TestClient(app)` run), a route that
      depends on `VerifiedWebhook` in an app that `configure_webhooks` has not configured makes the
      start fail with a `RuntimeError` that names the route and `configure_webhooks`, before the
      app's own lifespan runs. Started without its lifespan, such a route answers 503 (see
      `verified_webhook`). The check counts `app.dependency_overrides` as they are at start-up (a
      stubbed `verified_webhook` needs no config), checks every FastAPI app mounted in `app` against
      its own config (Starlette never runs a mounted app's lifespan), and refuses a websocket route
      with a webhook dependency (`TypeError`): see `check_webhooks_configured`. It wraps
      `app.router.lifespan_context` as it is now: give your own lifespan before calling `install`.

    ```python
    import asyncio
    import httpx
    from fastapi import FastAPI
    from jobstatus import JobStatus
    from jobstatus.fastapi import install

    app = FastAPI()
    install(app)

    @app.post("/statuses")
    def put(status: JobStatus) -> JobStatus:
        return status

    async def post(body: bytes) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.post("/statuses", content=body, headers={"content-type": "application/json"})

    refused = asyncio.run(post(b'{"source_value": NaN}'))
    assert refused.status_code == 422  # without install(app): 500
    assert refused.json()["detail"][0]["input"] == "NaN"
    ```
    """
    if getattr(app.state, _INSTALLED, False):
        return
    setattr(app.state, _INSTALLED, True)
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    app.add_exception_handler(ResponseValidationError, response_validation_handler)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_webhooks(app, generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    # The check runs at start-up, not here: routes are usually declared, and `configure_webhooks`
    # called, after `install`. Routers included later merge their lifespans inside this one.
    lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def checked_lifespan(started: Any) -> AsyncIterator[Any]:
        check_webhooks_configured(app)
        async with lifespan(started) as state:
            yield state

    app.router.lifespan_context = checked_lifespan


def configure_webhooks(app: FastAPI, config: WebhookConfig) -> None:
    """Set the `WebhookConfig` that `VerifiedWebhook` uses in this app (kept in `app.state`), and `install(app)`.

    Raises:
        TypeError: `config` is not a `WebhookConfig`.
    """
    if not isinstance(config, WebhookConfig):
        raise TypeError(f"configure_webhooks takes a jobstatus.webhooks.WebhookConfig, not {type(config).__name__}")
    setattr(app.state, STATE_KEY, config)
    install(app)
