"""jobstatus.fastapi through FastAPI's TestClient: every status code under every scheme, the 422
shape, the streaming limit, and the models as plain request/response models in /openapi.json."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request, WebSocket

from jobstatus import JobStatus, JobStatusValue
from jobstatus.fastapi import VerifiedWebhook, configure_webhooks, install, verified_webhook, webhook_dependency
from jobstatus.webhooks import (
    WEBHOOK_EVENT_ADAPTER,
    HmacSha256Scheme,
    JobEvent,
    QueryTokenScheme,
    StandardWebhooksScheme,
    WebhookConfig,
    WebhookDelivery,
    idempotency_key,
)

with warnings.catch_warnings():
    # Starlette 1.10 warns at import that its TestClient prefers `httpx2` over `httpx`; the
    # pinned set has httpx only, and the warning is about the test client, not about this package.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
STANDARD = StandardWebhooksScheme(secrets=(SECRET,))
HMAC = HmacSha256Scheme(secrets=("hmac-secret",), header="X-Signature-256")
TOKEN = QueryTokenScheme(secrets=("token-secret",))
LIMIT = 4096
SAMPLE = json.dumps(
    {
        "event": "ats_jobs.updated",
        "event_data": {
            "id": "c28xIQ",
            "title": "Software Engineer",
            "job_status": {"value": "On Hold", "source_value": 7},
        },
    }
).encode()

Signer = Callable[[bytes], tuple[str, dict[str, str]]]


def _standard(body: bytes) -> tuple[str, dict[str, str]]:
    return "/webhooks", STANDARD.sign_headers(body, msg_id="msg_1")


def _hmac(body: bytes) -> tuple[str, dict[str, str]]:
    return "/webhooks", {"x-signature-256": hmac.new(b"hmac-secret", body, hashlib.sha256).hexdigest()}


def _token(body: bytes) -> tuple[str, dict[str, str]]:
    return "/webhooks?token=token-secret", {}


SCHEMES: list[tuple[Any, Signer]] = [(STANDARD, _standard), (HMAC, _hmac), (TOKEN, _token)]


class Receiver:
    """An app under one scheme that records what reached the handler."""

    def __init__(self, scheme: Any) -> None:
        self.received: list[WebhookDelivery] = []
        self.app = FastAPI()
        configure_webhooks(self.app, WebhookConfig(scheme, max_body_size=LIMIT))

        @self.app.post("/webhooks")
        def receive(delivery: VerifiedWebhook) -> dict[str, str]:
            self.received.append(delivery)
            return {"key": delivery.idempotency_key}

        self.client = TestClient(self.app)


@pytest.fixture(params=SCHEMES, ids=["standard", "hmac", "token"])
def scheme(request: pytest.FixtureRequest) -> tuple[Receiver, Signer]:
    scheme, signer = request.param
    return Receiver(scheme), signer


def _post(
    receiver: Receiver, url: str, headers: dict[str, str], body: Any, content_type: str = "application/json"
) -> Any:
    return receiver.client.post(url, content=body, headers={"content-type": content_type, **headers})


def test_accepted(scheme: tuple[Receiver, Signer]) -> None:
    receiver, sign = scheme
    response = _post(receiver, *sign(SAMPLE), SAMPLE)
    assert response.status_code == 200
    (delivery,) = receiver.received
    assert isinstance(delivery.event, JobEvent)
    assert delivery.event.record_status == JobStatus(value=JobStatusValue.ON_HOLD, source_value=7)
    assert response.json() == {"key": "msg_1" if delivery.delivery_id else idempotency_key(delivery.event)}


def _unsigned(sign: Signer, body: bytes) -> tuple[str, dict[str, str]]:
    return "/webhooks", {}


def _tampered(sign: Signer, body: bytes) -> tuple[str, dict[str, str]]:
    return sign(body.replace(b"On Hold", b"Closed"))


def _wrong_secret(sign: Signer, body: bytes) -> tuple[str, dict[str, str]]:
    url, headers = sign(body)
    url = url.replace("token-secret", "token-secreT")
    return url, {key: value[:-4] + ("AAA=" if value.endswith("=") else "0000") for key, value in headers.items()}


refusals: list[tuple[str, Callable[[Signer, bytes], tuple[str, dict[str, str]]], bytes, str, int]] = [
    ("unsigned", _unsigned, SAMPLE, "application/json", 401),
    # signed for another body: the token scheme signs no body, so only the other two refuse it
    ("tampered", _tampered, SAMPLE, "application/json", 401),
    ("wrong secret", _wrong_secret, SAMPLE, "application/json", 401),
    ("too large", lambda sign, body: sign(body), b" " * (LIMIT + 1), "application/json", 413),
    ("form", lambda sign, body: sign(body), SAMPLE, "application/x-www-form-urlencoded", 415),
    ("no content type", lambda sign, body: sign(body), SAMPLE, "", 415),
    ("not JSON", lambda sign, body: sign(body), b"{nope", "application/json", 422),
    ("not an event", lambda sign, body: sign(body), b'{"event": "ats_jobs.updated", "data": 1}', "application/json",
     422),
]  # fmt: skip


@pytest.mark.parametrize(("case", "make", "body", "content_type", "status"), refusals, ids=[r[0] for r in refusals])
def test_refused(
    scheme: tuple[Receiver, Signer],
    case: str,
    make: Callable[[Signer, bytes], tuple[str, dict[str, str]]],
    body: bytes,
    content_type: str,
    status: int,
) -> None:
    receiver, sign = scheme
    if case == "tampered" and sign is _token:
        pytest.skip("the query token proves the sender, not the body")
    url, headers = make(sign, body)
    response = _post(receiver, url, headers, body, content_type)
    assert response.status_code == status
    assert receiver.received == []
    assert set(response.json()) == {"detail"}
    for secret in ("hmac-secret", "token-secret", SECRET, SECRET.removeprefix("whsec_")):
        assert secret not in response.text
    if status == 401:
        assert response.headers["www-authenticate"] == "Signature"


def test_expected_signature_is_never_echoed() -> None:
    receiver = Receiver(HMAC)
    response = _post(receiver, "/webhooks", {"x-signature-256": "00" * 32}, SAMPLE)
    assert response.status_code == 401
    assert hmac.new(b"hmac-secret", SAMPLE, hashlib.sha256).hexdigest() not in response.text


validation_errors: list[tuple[bytes, list[dict[str, Any]]]] = [
    (b"{nope", [{"type": "json_invalid", "loc": ["body"],
                 "msg": "Invalid JSON: key must be a string at line 1 column 2",
                 "input": {}, "ctx": {"error": "key must be a string at line 1 column 2"}}]),
    (b"[]", [{"type": "webhook_envelope_type", "loc": ["body"], "msg": "Input should be a webhook event object",
              "input": []}]),
    (b'{"event": "ats_jobs.updated", "data": {"job_status": {"value": 3}}}',
     [{"type": "status_value_type", "loc": ["body", "ats_jobs", "data", "job_status", "value"],
       "msg": "Input should be a string naming a status", "input": 3}]),
]  # fmt: skip


@pytest.mark.parametrize(("body", "detail"), validation_errors)
def test_422_has_fastapis_shape(body: bytes, detail: list[dict[str, Any]]) -> None:
    receiver = Receiver(TOKEN)
    response = _post(receiver, "/webhooks?token=token-secret", {}, body)
    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_the_limit_holds_for_a_chunked_body_without_content_length() -> None:
    receiver = Receiver(TOKEN)

    def chunks() -> Iterator[bytes]:
        # A generator makes httpx send `Transfer-Encoding: chunked`, so no length is declared.
        for _ in range(100):
            yield b" " * 1024

    response = _post(receiver, "/webhooks?token=token-secret", {}, chunks())
    assert response.status_code == 413
    assert receiver.received == []


def test_a_lying_content_length_is_refused_before_reading() -> None:
    receiver = Receiver(TOKEN)
    response = _post(receiver, "/webhooks?token=token-secret", {"content-length": str(LIMIT + 1)}, SAMPLE)
    assert response.status_code == 413


# --- an app whose webhook routes have no config -----------------------------------------------------


def _event_name(delivery: VerifiedWebhook) -> str:
    return str(delivery.event.event)


def _webhook_route(app: FastAPI, how: str) -> None:
    """Declare a route that needs the app's `WebhookConfig`, in one of the ways FastAPI allows."""
    if how == "parameter":

        @app.post("/webhooks")
        def receive(delivery: VerifiedWebhook) -> None:
            raise AssertionError("never reached")

    elif how == "parameter-answering":

        @app.post("/webhooks")
        def answer(delivery: VerifiedWebhook) -> str:
            return str(delivery.event.event)

    elif how == "sub-dependency-answering":

        @app.post("/webhooks")
        def answer_name(name: Annotated[str, Depends(_event_name)]) -> str:
            return name

    elif how == "sub-dependency":

        @app.post("/webhooks")
        def named(name: Annotated[str, Depends(_event_name)]) -> None:
            raise AssertionError("never reached")

    elif how == "router":  # a router included after `install`
        router = APIRouter()

        @router.post("/hooks")
        def routed(delivery: VerifiedWebhook) -> None:
            raise AssertionError("never reached")

        app.include_router(router, prefix="/v1")

    else:  # the dependency given when the router is included
        router = APIRouter()

        @router.post("/hooks")
        def guarded() -> None:
            raise AssertionError("never reached")

        app.include_router(router, prefix="/v1", dependencies=[Depends(verified_webhook)])


WEBHOOK_ROUTES = ["parameter", "sub-dependency", "router", "router-dependency"]


@pytest.mark.parametrize("how", WEBHOOK_ROUTES)
def test_an_unconfigured_app_fails_to_start(how: str) -> None:
    started: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started.append("the app's own lifespan")
        yield

    app = FastAPI(lifespan=lifespan)
    install(app)
    _webhook_route(app, how)
    path = "/webhooks" if how in ("parameter", "sub-dependency") else "/v1/hooks"
    refused = pytest.raises(RuntimeError, match=rf"^the route POST {path} needs .*configure_webhooks\(app, ")
    with refused, TestClient(app):
        raise AssertionError("the app should not have started")
    assert started == []  # the check runs before the app's own start-up code


# (case, how the app is set up): each starts, and its lifespan's state still reaches the routes
configured_apps: list[tuple[str, Callable[[FastAPI], None]]] = [
    ("configured before the route", lambda app: configure_webhooks(app, WebhookConfig(TOKEN))),
    ("a route with its own config", lambda app: None),
    ("no webhook route", lambda app: None),
]


@pytest.mark.parametrize(("case", "setup"), configured_apps, ids=[case for case, _ in configured_apps])
def test_a_configured_app_starts(case: str, setup: Callable[[FastAPI], None]) -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, str]]:
        yield {"greeting": "started"}

    app = FastAPI(lifespan=lifespan)
    install(app)
    setup(app)
    if case == "configured before the route":
        _webhook_route(app, "parameter")
    elif case == "a route with its own config":

        @app.post("/webhooks")
        def own(delivery: Annotated[WebhookDelivery, Depends(webhook_dependency(WebhookConfig(TOKEN)))]) -> None:
            return None

    elif case == "no webhook route":

        @app.websocket("/ws")  # a websocket without a webhook dependency is no concern of the check
        async def plain(websocket: WebSocket) -> None:
            await websocket.close()

    @app.get("/greeting")
    def greeting(request: Request) -> str:
        return str(request.state.greeting)

    with TestClient(app) as client:
        assert client.get("/greeting").json() == "started"


# (case, how the app's own lifespan is given before `install`): the check still runs first
own_lifespans = ["FastAPI(lifespan=...)", "app.router.lifespan_context"]


@pytest.mark.parametrize("how", own_lifespans)
def test_the_check_runs_before_the_apps_own_lifespan_however_given(how: str) -> None:
    started: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started.append("the app's own lifespan")
        yield

    if how == "FastAPI(lifespan=...)":
        app = FastAPI(lifespan=lifespan)
    else:
        app = FastAPI()
        app.router.lifespan_context = lifespan
    install(app)
    _webhook_route(app, "parameter")
    with pytest.raises(RuntimeError, match=r"^the route POST /webhooks needs "), TestClient(app):
        raise AssertionError("the app should not have started")
    assert started == []
    configure_webhooks(app, WebhookConfig(TOKEN))
    with TestClient(app):
        assert started == ["the app's own lifespan"]


# --- dependency overrides: a stubbed webhook dependency needs no config ------------------------------


async def _fake_delivery() -> WebhookDelivery:  # a test's stub: no signature, no config
    event = WEBHOOK_EVENT_ADAPTER.validate_json(SAMPLE)
    now = datetime.now(UTC)
    return WebhookDelivery(event, None, idempotency_key(event), now, now)


def _overridden_app(how: str) -> tuple[FastAPI, str]:
    """An unconfigured, installed app whose webhook route's dependency is overridden, and its path."""
    app = FastAPI()
    install(app)
    if how == "verified_webhook":
        _webhook_route(app, "parameter-answering")
        app.dependency_overrides[verified_webhook] = _fake_delivery
        return app, "/webhooks"
    if how == "the dependency above it":
        _webhook_route(app, "sub-dependency-answering")
        app.dependency_overrides[_event_name] = lambda: "ats_jobs.updated"
        return app, "/webhooks"
    router = APIRouter()  # an included router's route, stubbed on the app as FastAPI reads it

    @router.post("/hooks")
    def routed(delivery: VerifiedWebhook) -> str:
        return str(delivery.event.event)

    app.include_router(router, prefix="/v1")
    app.dependency_overrides[verified_webhook] = _fake_delivery
    return app, "/v1/hooks"


@pytest.mark.parametrize("how", ["verified_webhook", "the dependency above it", "an included router's route"])
def test_an_overridden_webhook_dependency_needs_no_config(how: str) -> None:
    app, path = _overridden_app(how)
    with TestClient(app) as client:  # the overrides are read when the app starts, not at `install`
        assert client.post(path, content=b"unsigned").json() == "ats_jobs.updated"


def test_the_overrides_are_those_of_the_app_when_it_starts() -> None:
    app, _ = _overridden_app("verified_webhook")
    app.dependency_overrides.clear()
    with pytest.raises(RuntimeError, match=r"^the route POST /webhooks needs "), TestClient(app):
        raise AssertionError("the app should not have started")


def test_an_override_that_itself_verifies_still_needs_the_config() -> None:
    app = FastAPI()
    install(app)
    _webhook_route(app, "sub-dependency")

    def verifying(delivery: VerifiedWebhook) -> str:
        return "never reached"

    app.dependency_overrides[_event_name] = verifying
    with pytest.raises(RuntimeError, match=r"^the route POST /webhooks needs "), TestClient(app):
        raise AssertionError("the app should not have started")


def test_an_override_that_depends_on_what_it_overrides_does_not_hang_the_check() -> None:
    app = FastAPI()
    install(app)
    _webhook_route(app, "sub-dependency")

    def loops(name: Annotated[str, Depends(_event_name)]) -> str:  # FastAPI itself recurses on it per request
        return name

    app.dependency_overrides[_event_name] = loops
    with TestClient(app) as client:  # verified_webhook is overridden away: the app starts
        assert client.get("/openapi.json").status_code == 200


# --- mounted apps: Starlette never runs their lifespan, the parent's start-up checks them ------------

JSON = {"content-type": "application/json"}
MOUNTED = (
    "the route POST {path} needs the WebhookConfig of the app mounted at {prefix}, and it has none: call"
    " jobstatus.fastapi.configure_webhooks(app, WebhookConfig(...)) on that app before the app starts"
)


def _answering_app(config: WebhookConfig | None) -> FastAPI:
    app = FastAPI()
    if config is not None:
        configure_webhooks(app, config)
    _webhook_route(app, "parameter-answering")
    return app


# (case, the parent's config, the mounted app's config, the inner app's config or no inner app, the refusal)
mounted_apps: list[tuple[str, WebhookConfig | None, WebhookConfig | None, WebhookConfig | str | None, str | None]] = [
    ("unconfigured", None, None, "none", MOUNTED.format(path="/sub/webhooks", prefix="/sub")),
    (
        "only the parent configured",
        WebhookConfig(TOKEN),
        None,
        "none",
        MOUNTED.format(path="/sub/webhooks", prefix="/sub"),
    ),
    ("configured on its own", None, WebhookConfig(TOKEN), "none", None),
    ("both configured", WebhookConfig(HMAC), WebhookConfig(TOKEN), "none", None),
    ("a mount in a mount", None, WebhookConfig(TOKEN), None, MOUNTED.format(path="/sub/in/webhooks", prefix="/sub/in")),
    ("a mount in a mount, configured", None, WebhookConfig(TOKEN), WebhookConfig(TOKEN), None),
]


@pytest.mark.parametrize(
    ("case", "parent", "mounted", "inner", "refusal"), mounted_apps, ids=[case for case, *_ in mounted_apps]
)
def test_a_mounted_app_is_checked_against_its_own_config(
    case: str,
    parent: WebhookConfig | None,
    mounted: WebhookConfig | None,
    inner: WebhookConfig | str | None,
    refusal: str | None,
) -> None:
    app = FastAPI()
    install(app)
    if parent is not None:
        configure_webhooks(app, parent)
    sub = _answering_app(mounted)
    if not isinstance(inner, str):
        sub.mount("/in", _answering_app(inner))
    app.mount("/sub", sub)
    if refusal is not None:
        with pytest.raises(RuntimeError) as refused, TestClient(app):
            raise AssertionError("the app should not have started")
        assert str(refused.value) == refusal
        return
    with TestClient(app) as client:
        paths = ["/sub/webhooks"] if isinstance(inner, str) else ["/sub/webhooks", "/sub/in/webhooks"]
        for path in paths:
            answer = client.post(f"{path}?token=token-secret", content=SAMPLE, headers=JSON)
            assert answer.json() == "ats_jobs.updated"


def test_every_unconfigured_app_is_named_at_once() -> None:
    app = _answering_app(None)
    install(app)
    app.mount("/sub", _answering_app(None))
    with pytest.raises(RuntimeError) as refused, TestClient(app):
        raise AssertionError("the app should not have started")
    assert str(refused.value).split("; ") == [
        "the route POST /webhooks needs the app's WebhookConfig, and it has none: call"
        " jobstatus.fastapi.configure_webhooks(app, WebhookConfig(...)) before the app starts",
        MOUNTED.format(path="/sub/webhooks", prefix="/sub"),
    ]


# --- websocket routes: a webhook is an HTTP POST ----------------------------------------------------

WEBSOCKET = (
    "the websocket route {path} depends on a webhook dependency (VerifiedWebhook or webhook_dependency), which reads"
    " the body of an HTTP request: a webhook is an HTTP POST, declare its route with @app.post"
)


_OwnWebhook = Annotated[WebhookDelivery, Depends(webhook_dependency(WebhookConfig(TOKEN)))]


def _websocket_app(how: str) -> tuple[FastAPI, str]:
    app = FastAPI()
    configure_webhooks(app, WebhookConfig(TOKEN))  # configured or not, the route cannot work
    if how == "VerifiedWebhook":

        @app.websocket("/ws")
        async def verified(websocket: WebSocket, delivery: VerifiedWebhook) -> None:
            raise AssertionError("never reached")

        return app, "/ws"
    if how == "webhook_dependency":

        @app.websocket("/ws")
        async def bound(websocket: WebSocket, delivery: _OwnWebhook) -> None:
            raise AssertionError("never reached")

        return app, "/ws"
    router = APIRouter()

    @router.websocket("/ws")
    async def routed(websocket: WebSocket) -> None:
        raise AssertionError("never reached")

    app.include_router(router, prefix="/v1", dependencies=[Depends(verified_webhook)])
    return app, "/v1/ws"


@pytest.mark.parametrize("how", ["VerifiedWebhook", "webhook_dependency", "a router's dependencies"])
def test_a_websocket_route_with_a_webhook_dependency_is_refused_at_start_up(how: str) -> None:
    app, path = _websocket_app(how)
    with pytest.raises(TypeError) as refused, TestClient(app):
        raise AssertionError("the app should not have started")
    assert str(refused.value) == WEBSOCKET.format(path=path)


def test_a_websocket_route_in_a_mounted_app_is_refused_with_its_whole_path() -> None:
    app = FastAPI()
    install(app)
    app.mount("/sub", _websocket_app("VerifiedWebhook")[0])
    with pytest.raises(TypeError) as refused, TestClient(app):
        raise AssertionError("the app should not have started")
    assert str(refused.value) == WEBSOCKET.format(path="/sub/ws")


def test_configuring_after_the_routes_is_in_time() -> None:
    app = FastAPI()
    install(app)
    _webhook_route(app, "parameter")
    configure_webhooks(app, WebhookConfig(TOKEN))
    with TestClient(app) as client:
        assert client.post("/webhooks?token=token-secret", json=[]).status_code == 422


def test_configure_webhooks_refuses_what_is_not_a_config() -> None:
    with pytest.raises(
        TypeError, match=r"^configure_webhooks takes a jobstatus\.webhooks\.WebhookConfig, not QueryTokenScheme$"
    ):
        configure_webhooks(FastAPI(), TOKEN)  # type: ignore[arg-type]


@pytest.mark.parametrize("installed", [True, False], ids=["installed", "not-installed"])
def test_an_unconfigured_app_started_without_its_lifespan_answers_503(
    installed: bool, caplog: pytest.LogCaptureFixture
) -> None:
    app = FastAPI()
    if installed:
        install(app)
    _webhook_route(app, "parameter")
    client = TestClient(app)  # not entered: the lifespan does not run, as under `uvicorn --lifespan off`
    with caplog.at_level(logging.ERROR, logger="jobstatus.fastapi"):
        answers = [client.post("/webhooks?token=x", content=SAMPLE) for _ in range(3)]
    assert [(answer.status_code, answer.json()) for answer in answers] == [
        (503, {"detail": "Webhooks are not configured on this server"})
    ] * 3
    assert all(answer.headers["connection"] == "close" for answer in answers)  # the body is not read
    assert [record.getMessage() for record in caplog.records] == [
        "POST /webhooks: a route that depends on VerifiedWebhook needs the app's WebhookConfig, and it has"
        " none: call jobstatus.fastapi.configure_webhooks(app, WebhookConfig(...)) before the app starts"
    ]  # once, not once per request


# --------------------------------------------------------------------------------------------------
# The models as ordinary FastAPI request and response models
# --------------------------------------------------------------------------------------------------


def _models_app() -> FastAPI:
    app = FastAPI()
    configure_webhooks(app, WebhookConfig(TOKEN))

    @app.post("/statuses")
    def echo(status: JobStatus) -> JobStatus:
        return status

    @app.post("/webhooks")
    def receive(delivery: VerifiedWebhook) -> None:
        return None

    return app


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        ({"value": "On Hold", "source_value": "On Hold"}, 200, {"source_value": "On Hold", "value": "on_hold"}),
        # every JSON kind of source_value comes back exactly
        ({"value": "open", "source_value": {"a": [1, True, None]}}, 200,
         {"source_value": {"a": [1, True, None]}, "value": "open"}),
        ({"value": "Frozen", "source_value": 1}, 200, {"source_value": 1, "value": "Frozen"}),
        ({"value": 3}, 422, None),
    ],
)  # fmt: skip
def test_job_status_as_request_and_response_model(body: Any, status: int, answer: Any) -> None:
    response = TestClient(_models_app()).post("/statuses", json=body)
    assert response.status_code == status
    if answer is not None:
        assert response.json() == answer
    else:
        assert response.json()["detail"][0]["loc"] == ["body", "value"]


def test_openapi_shows_the_job_status_schema_and_its_enum() -> None:
    document = TestClient(_models_app()).get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    enum = schemas["JobStatusValue"]["enum"]
    assert enum == [member.value for member in JobStatusValue]
    status = schemas["JobStatus"]
    assert set(status["properties"]) == {"source_value", "value"}
    assert "JobStatusValue" in json.dumps(status["properties"]["value"])
    body = document["paths"]["/statuses"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"] == "#/components/schemas/JobStatus"
    # the external validator agrees the document is valid OpenAPI
    from openapi_spec_validator import validate

    validate(document)


# --- the body time limit under each event loop that anyio runs -------------------------------------


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_body_that_never_arrives_is_a_408_under_every_event_loop(backend: str) -> None:
    import anyio
    from fastapi import HTTPException
    from starlette.requests import Request
    from starlette.types import Message

    from jobstatus.fastapi import receive

    async def stalled() -> Message:
        await anyio.sleep(60)  # the sender never sends its body
        raise AssertionError("the time limit should have fired")

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/webhooks",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"10")],
    }
    config = WebhookConfig(STANDARD, body_timeout_seconds=0.05)

    async def call() -> HTTPException:
        with pytest.raises(HTTPException) as caught:
            await receive(Request(scope, stalled), config)
        return caught.value

    refused = anyio.run(call, backend=backend)
    assert (refused.status_code, refused.detail) == (408, "The body did not arrive within 0.05 seconds")


# --- an escaped lone surrogate: pydantic's json_invalid on the webhook route, the model's own error
# on a body route (FastAPI parses with the standard library); docs/limits.md shows both

surrogate_answers: list[tuple[str, bytes, list[dict[str, Any]]]] = [
    ("webhook route", rb'{"event": "x", "event_data": {"job_status": {"value": "\ud800"}}}', [
        {"type": "json_invalid", "loc": ["body"], "input": {},
         "msg": "Invalid JSON: unexpected end of hex escape at line 1 column 62",
         "ctx": {"error": "unexpected end of hex escape at line 1 column 62"}},
    ]),
    ("webhook route, a low surrogate", rb'{"event": "\udc00"}', [
        {"type": "json_invalid", "loc": ["body"], "input": {},
         "msg": "Invalid JSON: lone leading surrogate in hex escape at line 1 column 17",
         "ctx": {"error": "lone leading surrogate in hex escape at line 1 column 17"}},
    ]),
    ("body route, value", rb'{"value": "\ud800"}', [
        {"type": "status_value_type", "loc": ["body", "value"], "input": "\\ud800",
         "msg": "Input should be a string naming a status"},
    ]),
    ("body route, source_value", rb'{"source_value": "\udc00"}', [
        {"type": "string_unicode", "loc": ["body", "source_value", "string"], "input": "\\udc00",
         "msg": "Input should be a valid string, unable to parse raw data as a unicode string"},
    ]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "detail"), surrogate_answers, ids=[case for case, _, _ in surrogate_answers])
def test_an_escaped_lone_surrogate_is_pydantics_json_invalid(case: str, body: bytes, detail: list[Any]) -> None:
    url = "/webhooks?token=token-secret" if case.startswith("webhook") else "/statuses"
    answer = TestClient(_models_app()).post(url, content=body, headers={"content-type": "application/json"})
    assert (answer.status_code, answer.json()) == (422, {"detail": detail})
