"""The webhook dependency: stream the body into `IncomingWebhook`, answer its refusals as HTTP errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any, Final

import anyio
import fastapi.routing
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, APIWebSocketRoute
from pydantic import ValidationError
from starlette.requests import ClientDisconnect
from starlette.routing import Mount

from jobstatus._errors import capped_errors, too_many_errors
from jobstatus.webhooks import (
    BodyTimeoutError,
    ClientDisconnectedError,
    IncomingWebhook,
    WebhookConfig,
    WebhookDelivery,
    WebhookError,
)

from ._errors import echo_errors

__all__ = (
    "CONFIG_ATTRIBUTE",
    "NOT_CONFIGURED",
    "STATE_KEY",
    "VerifiedWebhook",
    "api_routes",
    "check_webhooks_configured",
    "receive",
    "verified_webhook",
    "webhook_calls",
    "webhook_dependency",
)

STATE_KEY: Final = "jobstatus_webhook_config"
"""Where `configure_webhooks` keeps the app's `WebhookConfig` in `app.state`."""
CONFIG_ATTRIBUTE: Final = "jobstatus_webhook_config"
"""The attribute that marks a webhook dependency for the OpenAPI document: its `WebhookConfig`, or
`None` for `verified_webhook` (whose config is the app's)."""
NOT_CONFIGURED: Final = "Webhooks are not configured on this server"
"""The 503 answer's `detail` when a `VerifiedWebhook` route runs in an app without a `WebhookConfig`."""
_NOT_CONFIGURED_LOGGED: Final = "jobstatus_webhook_unconfigured_logged"

_logger = logging.getLogger("jobstatus.fastapi")


def _error_response(error: WebhookError) -> HTTPException:
    # `error.message` is written to be shown: it names what is wrong, never a secret or a signature.
    if error.status_code == 401:  # the whole body was read: the connection may serve another request
        return HTTPException(status_code=401, detail=error.message, headers={"WWW-Authenticate": "Signature"})
    # Every other refusal comes before the body was read to its end. Closing the connection is the
    # only way to stop reading it: otherwise the server goes on consuming the rest, and a sender
    # dripping a byte a second holds the connection for good despite the 408 or 413.
    return HTTPException(status_code=error.status_code, detail=error.message, headers={"Connection": "close"})


def _validation_error(error: ValidationError) -> RequestValidationError:
    """FastAPI's own 422 shape: every `loc` starts with "body"; echoed safely even without `install`."""
    kept, more = capped_errors(error, include_url=False)
    errors: list[dict[str, Any]] = [
        # As FastAPI does for its own JSON errors: never echo a body that did not even parse.
        {**item, "loc": ("body", *item["loc"]), "input": {} if item["type"] == "json_invalid" else item["input"]}
        for item in kept
    ]
    if more:
        count = too_many_errors(more)
        errors.append(
            {"type": count.type, "loc": ("body",), "msg": count.message(), "input": None, "ctx": count.context}
        )
    return RequestValidationError(echo_errors(errors))


@asynccontextmanager
async def _anyio_time_limit(seconds: float) -> AsyncIterator[None]:
    with anyio.fail_after(seconds):
        yield


def _time_limit(seconds: float) -> AbstractAsyncContextManager[object]:
    """Raise `TimeoutError` in the block after `seconds`. Under asyncio (uvicorn) the standard
    library's `asyncio.timeout`, which costs less than half of `anyio.fail_after` a request
    (bench/bench_webhooks.py shows the route's throughput). Under trio, anyio's."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _anyio_time_limit(seconds)
    return asyncio.timeout(seconds)


async def _receive_body(request: Request, incoming: IncomingWebhook, config: WebhookConfig) -> None:
    # The body is always streamed into the pipeline, whatever the framing (Content-Length, chunked or
    # both): `feed` refuses the first chunk past the limit, so no more than the limit plus one chunk
    # is held while reading (about twice the limit while the chunks are joined). The whole read is
    # bounded in time: the HTTP servers FastAPI runs on have no body timeout of their own, so a
    # sender that trickles its body would otherwise hold the connection.
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
    """The dependency behind `VerifiedWebhook`: uses the config set by `configure_webhooks`.

    Without one (an app that is not configured but was started without its lifespan, where
    `install`'s start-up check runs), every request is refused with a 503 and nothing is read: a
    deployment mistake, not the sender's, so no unverified body is accepted and the sender may retry
    once it is fixed. The mistake is logged once per app on the `jobstatus.fastapi` logger.
    """
    config = getattr(request.app.state, STATE_KEY, None)
    if not isinstance(config, WebhookConfig):
        if not getattr(request.app.state, _NOT_CONFIGURED_LOGGED, False):
            setattr(request.app.state, _NOT_CONFIGURED_LOGGED, True)
            _logger.error("%s %s: %s", request.method, request.url.path, _not_configured_message())
        raise HTTPException(status_code=503, detail=NOT_CONFIGURED, headers={"Connection": "close"})
    return await receive(request, config)


def _not_configured_message(
    routes: str = "a route that depends on VerifiedWebhook", whose: str = "the app's WebhookConfig", which: str = ""
) -> str:
    return (
        f"{routes} needs {whose}, and it has none: "
        f"call jobstatus.fastapi.configure_webhooks(app, WebhookConfig(...)) {which}before the app starts"
    )


def webhook_calls(dependant: Dependant, overrides: Mapping[Any, Any] | None = None) -> Iterator[Any]:
    """The webhook dependencies (`verified_webhook`, `webhook_dependency(...)`) in a route's dependency tree.

    With `overrides` (an app's `dependency_overrides`), the tree FastAPI solves: an overridden
    dependency is replaced by its override's own tree, as `solve_dependencies` does per request.
    """
    pending = [dependant]
    expanded: set[Any] = set()  # an override that depends on what it overrides would never end
    while pending:
        current = pending.pop()
        if current.call is not None and hasattr(current.call, CONFIG_ATTRIBUTE):
            yield current.call
        for sub in current.dependencies:
            override = overrides.get(sub.call) if overrides and sub.call is not None else None
            if override is None:
                pending.append(sub)
            elif override not in expanded:
                expanded.add(override)
                pending.append(get_dependant(path=sub.path or "", call=override, name=sub.name))


def _route_contexts(app: FastAPI) -> Iterator[Any]:
    """Every route of the app wherever it was declared. FastAPI 0.165 and later keep an included
    router's routes in the router and give them through `iter_route_contexts`, each with its whole
    `path_format`, `methods` and `dependant` (an including router's dependencies too), and with the
    declared route as `original_route`; older releases copy them into `app.routes`."""
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    if iterate is None:  # pragma: no cover - FastAPI before 0.165 (`make compat` runs the floor)
        yield from (_Declared(route) for route in app.routes)
        return
    yield from iterate(app.routes)


class _Declared:
    """A route of `app.routes` seen as FastAPI 0.165's `RouteContext` (pragma: FastAPI before 0.165)."""

    def __init__(self, route: Any) -> None:  # pragma: no cover
        self.original_route = route

    def __getattr__(self, name: str) -> Any:  # pragma: no cover
        return getattr(self.original_route, name)


def api_routes(app: FastAPI) -> Iterator[Any]:
    """The app's API routes wherever they were declared (`_route_contexts`), for its OpenAPI document."""
    for context in _route_contexts(app):
        if isinstance(context.original_route, APIRoute):
            yield context


def _apps(app: FastAPI, prefix: str = "") -> Iterator[tuple[str, FastAPI]]:
    """`app` and every FastAPI app mounted in it (`app.mount(path, sub)`, at any depth), each with the
    path it is mounted at ("" for `app`). A mounted app answers with its own state, so with its own
    `WebhookConfig` (`request.app` is the mounted app), and Starlette never runs its lifespan."""
    yield prefix, app
    for context in _route_contexts(app):
        route = context.original_route
        if isinstance(route, Mount) and isinstance(route.app, FastAPI) and route.app is not app:
            yield from _apps(route.app, prefix + str(context.path))


def _unconfigured_routes(app: FastAPI, prefix: str) -> tuple[list[str], list[str]]:
    """The websocket routes of `app` that depend on a webhook dependency, and its HTTP routes that
    need the app's config when the app has none; overridden dependencies count as their overrides."""
    configured = isinstance(getattr(app.state, STATE_KEY, None), WebhookConfig)
    websockets: list[str] = []
    unconfigured: list[str] = []
    for context in _route_contexts(app):
        route = context.original_route
        if not isinstance(route, (APIRoute, APIWebSocketRoute)):
            continue
        provider = getattr(context, "dependency_overrides_provider", None) or app
        calls = list(webhook_calls(context.dependant, getattr(provider, "dependency_overrides", None)))
        if isinstance(route, APIWebSocketRoute):
            if calls:
                websockets.append(f"the websocket route {prefix}{context.path_format}")
        elif not configured and any(getattr(call, CONFIG_ATTRIBUTE) is None for call in calls):
            unconfigured.append(f"{','.join(sorted(context.methods or ()))} {prefix}{context.path_format}")
    return websockets, unconfigured


def check_webhooks_configured(app: FastAPI) -> None:
    """What `install` checks when the app starts, over `app` and every FastAPI app mounted in it
    (whose own lifespan never runs), each against its own `WebhookConfig`.

    Raises:
        TypeError: a websocket route depends on `VerifiedWebhook` or `webhook_dependency(...)`:
            a webhook is an HTTP POST whose body is read, a websocket has none.
        RuntimeError: an HTTP route depends on `VerifiedWebhook` (and is not overridden in
            `app.dependency_overrides`) and its app has no `WebhookConfig` (`configure_webhooks`
            was not called on it).
    """
    websockets: list[str] = []
    missing: list[str] = []
    for prefix, each in _apps(app):
        sockets, routes = _unconfigured_routes(each, prefix)
        websockets += sockets
        if routes:
            whose = "the app's WebhookConfig" if not prefix else f"the WebhookConfig of the app mounted at {prefix}"
            which = "" if not prefix else "on that app "
            missing.append(_not_configured_message(f"the route {', '.join(routes)}", whose, which))
    if websockets:
        raise TypeError(
            f"{', '.join(websockets)} depends on a webhook dependency (VerifiedWebhook or webhook_dependency), which"
            " reads the body of an HTTP request: a webhook is an HTTP POST, declare its route with @app.post"
        )
    if missing:
        raise RuntimeError("; ".join(missing))


setattr(verified_webhook, CONFIG_ATTRIBUTE, None)


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

    setattr(dependency, CONFIG_ATTRIBUTE, config)
    return dependency


VerifiedWebhook = Annotated[WebhookDelivery, Depends(verified_webhook)]
"""A route parameter typed `VerifiedWebhook` receives a verified, validated `WebhookDelivery`."""
