"""The FastAPI dependency for inbound job webhooks (the `jobstatus[fastapi]` extra).

`VerifiedWebhook` is the ready dependency: it streams the body under the size limit, verifies it
with the app's `WebhookConfig` (set once with `configure_webhooks`), validates the bytes with the
adapter built at import, and answers failures the FastAPI way: 401 (no secret or expected signature
is ever echoed), 408 (the body did not arrive in time), 413, 415, and 422 with FastAPI's own
`{"detail": [...]}` body.

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

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

from pydantic import ValidationError

from .webhooks import (
    BodyTimeoutError,
    ClientDisconnectedError,
    IncomingWebhook,
    WebhookConfig,
    WebhookDelivery,
    WebhookError,
)

try:
    import anyio
    from fastapi import Depends, FastAPI, HTTPException, Request
    from fastapi.exceptions import RequestValidationError
    from starlette.requests import ClientDisconnect
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError("jobstatus.fastapi needs FastAPI: pip install 'jobstatus[fastapi]'") from error

__all__ = ("VerifiedWebhook", "configure_webhooks", "receive", "verified_webhook", "webhook_dependency")

_STATE_KEY = "jobstatus_webhook_config"


def configure_webhooks(app: FastAPI, config: WebhookConfig) -> None:
    """Set the `WebhookConfig` that `VerifiedWebhook` uses in this app (kept in `app.state`)."""
    setattr(app.state, _STATE_KEY, config)


def _error_response(error: WebhookError) -> HTTPException:
    # `error.message` is written to be shown: it names what is wrong, never a secret or a signature.
    headers = {"WWW-Authenticate": "Signature"} if error.status_code == 401 else None
    return HTTPException(status_code=error.status_code, detail=error.message, headers=headers)


_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _json_safe(value: Any) -> Any:
    """The `input` of an error, as strict JSON can carry it: pydantic's parser reads `NaN`, `Infinity`
    and `1e400`, and FastAPI's JSON response refuses non-finite floats (a 500 instead of the 422).
    They are echoed as their literal text. Nesting is bounded by the JSON parser's own limit."""
    if isinstance(value, float):
        return value if math.isfinite(value) else _NON_FINITE[repr(value)]
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


def _validation_error(error: ValidationError) -> RequestValidationError:
    """FastAPI's own 422 shape: every `loc` starts with "body"."""
    errors: list[dict[str, Any]] = []
    for item in error.errors(include_url=False):
        entry: dict[str, Any] = {**item, "loc": ("body", *item["loc"])}
        # As FastAPI does for its own JSON errors: never echo a body that did not even parse.
        entry["input"] = {} if item["type"] == "json_invalid" else _json_safe(item["input"])
        errors.append(entry)
    return RequestValidationError(errors)


@asynccontextmanager
async def _anyio_time_limit(seconds: float) -> AsyncIterator[None]:
    with anyio.fail_after(seconds):
        yield


def _time_limit(seconds: float) -> AbstractAsyncContextManager[object]:
    """Raise `TimeoutError` in the block after `seconds`. Under asyncio (uvicorn) the standard
    library's `asyncio.timeout`: `anyio.fail_after` costs 12 µs a request against 5 µs, about 4% of
    the verified route's throughput. Under trio, anyio's."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _anyio_time_limit(seconds)
    return asyncio.timeout(seconds)


async def _receive_body(request: Request, incoming: IncomingWebhook, config: WebhookConfig) -> None:
    # The body is always streamed into the pipeline, whatever the framing (Content-Length, chunked or
    # both): `feed` refuses the first chunk past the limit, so no more than the limit plus one chunk
    # is ever held. The whole read is bounded in time: the HTTP servers FastAPI runs on have no body
    # timeout of their own, so a sender that trickles its body would otherwise hold the connection.
    try:
        async with _time_limit(config.body_timeout_seconds):
            async for chunk in request.stream():
                incoming.feed(chunk)
    except TimeoutError:
        raise BodyTimeoutError(
            "body_timeout", f"The body did not arrive within {config.body_timeout_seconds:g} seconds"
        ) from None
    except ClientDisconnect:
        raise ClientDisconnectedError("client_disconnected", "The client went away before the body arrived") from None


async def receive(request: Request, config: WebhookConfig) -> WebhookDelivery:
    """Read, verify and validate one request under `config`; raise FastAPI's HTTP errors.

    Use it from your own dependency when `VerifiedWebhook` does not fit, e.g. to pick a config per tenant.
    """
    try:
        incoming = IncomingWebhook(request.headers, request.query_params, config)
        await _receive_body(request, incoming, config)
        return incoming.finish()
    except WebhookError as error:
        raise _error_response(error) from None
    except ValidationError as error:
        raise _validation_error(error) from None


async def verified_webhook(request: Request) -> WebhookDelivery:
    """The dependency behind `VerifiedWebhook`: uses the config set by `configure_webhooks`."""
    config = getattr(request.app.state, _STATE_KEY, None)
    if not isinstance(config, WebhookConfig):
        # A deployment mistake, not the sender's: fail loudly (500) rather than accept unverified bodies.
        raise RuntimeError("call jobstatus.fastapi.configure_webhooks(app, WebhookConfig(...)) first")
    return await receive(request, config)


def webhook_dependency(config: WebhookConfig) -> Callable[[Request], Awaitable[WebhookDelivery]]:
    """A dependency bound to one `config`, for routes that need their own (another secret, another limit).

    ```python
    import asyncio
    from typing import Annotated
    import httpx
    from fastapi import Depends, FastAPI
    from jobstatus.fastapi import webhook_dependency
    from jobstatus.webhooks import QueryTokenScheme, WebhookConfig, WebhookDelivery

    partner_config = WebhookConfig(QueryTokenScheme(secrets=("pw",)))
    PartnerWebhook = Annotated[WebhookDelivery, Depends(webhook_dependency(partner_config))]
    app = FastAPI()

    @app.post("/partner")
    def partner(delivery: PartnerWebhook) -> str:
        return delivery.idempotency_key

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.post("/partner?token=pw", json={"event": "x", "event_date": "2025-01-02T03:04:05Z"})

    assert asyncio.run(post()).json().startswith("sha256:")
    ```
    """

    async def dependency(request: Request) -> WebhookDelivery:
        return await receive(request, config)

    return dependency


VerifiedWebhook = Annotated[WebhookDelivery, Depends(verified_webhook)]
"""A route parameter typed `VerifiedWebhook` receives a verified, validated `WebhookDelivery`."""
