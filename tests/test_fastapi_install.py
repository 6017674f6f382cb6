"""`install(app)` in-process: the echo's rules case by case, random hostile bodies through the ASGI
app (hypothesis), the OpenAPI document of the webhook routes, and Redocly's recommended rules."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi_server_app import TOKEN, create
from helpers import free_port, wait_until_listening
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from jobstatus.fastapi import (
    MAX_ECHOED_DEPTH,
    MAX_ECHOED_ERRORS,
    MAX_ECHOED_NODES,
    VerifiedWebhook,
    configure_webhooks,
    echo,
    echo_errors,
    verified_webhook,
)
from jobstatus.webhooks import StackOneScheme, WebhookConfig

ROOT = Path(__file__).resolve().parent.parent
APP = create()

# (case, value, echoed)
echoes: list[tuple[str, Any, Any]] = [
    ("NaN", float("nan"), "NaN"),
    ("Infinity", float("inf"), "Infinity"),
    ("-Infinity", float("-inf"), "-Infinity"),
    ("finite", 1.5, 1.5),
    ("lone surrogate, escaped as text", "a\ud800b", "a\\ud800b"),
    ("non-BMP kept", "\U0001f600", "\U0001f600"),
    ("surrogate key", {"\udfff": 1}, {"\\udfff": 1}),
    ("long string cut", "y" * 1000, "y" * 256 + "…"),
    ("bytes", b"\xff\x00", "\\xff\x00"),
    ("huge integer", 10**2000, "… (an integer of 6644 bits)"),
    ("other object", object, "<class 'object'>"),
    ("tuple as list", (1, None, True), [1, None, True]),
    # MAX_ECHOED_DEPTH (8) levels are kept, the ninth is "…"
    ("deep nesting cut", [[[[[[[[[[1]]]]]]]]]], [[[[[[[["…"]]]]]]]]),
    ("many items cut", list(range(500)), [*range(MAX_ECHOED_NODES), "…"]),
    ("many keys cut", {str(n): n for n in range(500)}, {**{str(n): n for n in range(MAX_ECHOED_NODES)}, "…": "…"}),
]


@pytest.mark.parametrize(("case", "value", "echoed"), echoes, ids=[case for case, _, _ in echoes])
def test_echo(case: str, value: Any, echoed: Any) -> None:
    assert echo(value) == echoed
    json.dumps(echo(value), allow_nan=False).encode("utf-8")  # what JSONResponse does


def test_echo_of_any_depth_does_not_recurse() -> None:
    value: Any = []
    for _ in range(100_000):
        value = [value]
    echoed = echo(value)
    for _ in range(MAX_ECHOED_DEPTH - 1):
        (echoed,) = echoed
    assert echoed == ["…"]


def test_echo_errors_bounds_the_count_and_cleans_every_field() -> None:
    error = {
        "type": "t",
        "loc": ("body", "\ud800", 0),
        "msg": "m\udc00",
        "input": float("nan"),
        "ctx": {"e": ValueError("x")},
    }
    echoed = echo_errors([error] * (MAX_ECHOED_ERRORS + 1))
    assert len(echoed) == MAX_ECHOED_ERRORS + 1
    assert echoed[0] == {
        "type": "t",
        "loc": ["body", "\\ud800", 0],
        "msg": "m\\udc00",
        "input": "NaN",
        "ctx": {"e": "x"},
    }
    assert echoed[-1] == {
        "type": "too_many_errors",
        "loc": [],
        "msg": f"1 more errors not reported: validation stops collecting at {MAX_ECHOED_ERRORS} errors",
        "input": None,
        "ctx": {"more": 1, "max_errors": MAX_ECHOED_ERRORS},
    }


def test_echo_errors_adds_the_cores_own_counts() -> None:
    core = [{"type": "finite_number", "loc": ("body",), "msg": "m", "input": 1.0}] * 3
    core.append({"type": "too_many_errors", "loc": ("body",), "msg": "m", "input": None, "ctx": {"more": 7}})
    echoed = echo_errors(core)
    assert [error["type"] for error in echoed] == ["finite_number"] * 3 + ["too_many_errors"]
    assert echoed[-1]["ctx"] == {"more": 7, "max_errors": MAX_ECHOED_ERRORS}


def test_a_body_of_a_thousand_nans_is_a_bounded_422() -> None:
    body = ('[{"source_value": [' + ", ".join(["NaN"] * 1000) + "]}]").encode()
    response = asyncio.run(_send(APP, "POST", "/statuses", body))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert len(detail) == MAX_ECHOED_ERRORS + 1
    assert detail[-1]["ctx"] == {"more": 1000 - MAX_ECHOED_ERRORS, "max_errors": MAX_ECHOED_ERRORS}


async def _send(app: FastAPI, method: str, url: str, body: bytes) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, url, content=body, headers={"content-type": "application/json"})


# JSON documents with what JSON text can spell but strict JSON cannot carry: non-finite numbers and
# escaped lone surrogates, in values and keys, nested.
_SPECIAL = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", '"\\ud800"', '"\\udfff x"', '"On Hold"', "null"])
_LEAF = _SPECIAL | st.integers().map(str) | st.text(max_size=5).map(json.dumps)


def _objects(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    keys = st.sampled_from(['"value"', '"source_value"', '"status"', '"id"', '"\\ud800"', '"k"'])
    pairs = st.lists(st.tuples(keys, children), max_size=4)
    return pairs.map(lambda items: "{" + ", ".join(f"{key}: {value}" for key, value in items) + "}")


_DOCUMENTS = st.recursive(
    _LEAF, lambda children: _objects(children) | st.lists(children, max_size=4).map(lambda i: "[" + ", ".join(i) + "]")
)
_ROUTES = st.sampled_from(
    [("PUT", "/jobs/j1"), ("POST", "/statuses"), ("POST", f"/counted?token={TOKEN}"), ("POST", "/echo")]
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(route=_ROUTES, document=_DOCUMENTS)
def test_random_hostile_bodies_are_never_a_5xx(route: tuple[str, str], document: str) -> None:
    method, url = route
    response = asyncio.run(_send(APP, method, url, document.encode()))
    if url == "/echo":  # a route returning its input unvalidated: only its response model can refuse it
        assert response.status_code in (200, 422, 500)
        if response.status_code == 500:
            assert response.json() == {"detail": "Internal Server Error"}
        return
    assert response.status_code < 500, (url, document, response.text)


# --------------------------------------------------------------------------------------------------
# OpenAPI
# --------------------------------------------------------------------------------------------------


def _receiver_document(tmp_path: Path) -> dict[str, Any]:
    from examples.fastapi_app import create_app

    document: dict[str, Any] = create_app(WebhookConfig(StackOneScheme(secrets=("s",))), tmp_path / "x.db").openapi()
    return document


def test_the_webhook_route_documents_its_body_parameters_and_refusals(tmp_path: Path) -> None:
    for document, parameter in [
        (APP.openapi(), ("query", "token")),
        (_receiver_document(tmp_path), ("header", "x-stackone-signature")),
    ]:
        validate(document)
        operation = document["paths"]["/webhooks"]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/WebhookEvent"}
        union = document["components"]["schemas"]["WebhookEvent"]["oneOf"]
        assert [ref["$ref"].rsplit("/", 1)[1] for ref in union] == ["JobEvent", "JobPostingEvent", "OtherEvent"]
        assert [(p["in"], p["name"], p["required"]) for p in operation["parameters"]] == [(*parameter, True)]
        assert operation["security"] == [{parameter[1]: []}]
        for status in ("400", "401", "408", "413", "415"):
            body = operation["responses"][status]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/HTTPError"}
        assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
        validation = operation["responses"]["422"]["content"]["application/json"]["schema"]
        assert validation == {"$ref": "#/components/schemas/HTTPValidationError"}
        assert "```" not in json.dumps(document["components"])


def test_webhook_routes_of_an_included_router_are_documented() -> None:
    # FastAPI 0.165 and later keep an included router's routes in the router, not in `app.routes`
    app = FastAPI()
    configure_webhooks(app, WebhookConfig(StackOneScheme(secrets=("s",))))
    router, guarded = APIRouter(), APIRouter()

    @router.post("/hooks")
    def routed(delivery: VerifiedWebhook) -> None:
        return None

    @guarded.post("/hooks")
    def by_dependency() -> None:
        return None

    app.include_router(router, prefix="/v1")
    app.include_router(guarded, prefix="/v2", dependencies=[Depends(verified_webhook)])
    document = app.openapi()
    validate(document)
    for path in ("/v1/hooks", "/v2/hooks"):
        operation = document["paths"][path]["post"]
        assert sorted(operation["responses"]) == ["200", "400", "401", "408", "413", "415", "422"]
        assert [parameter["name"] for parameter in operation["parameters"]] == ["x-stackone-signature"]


UNCONFIGURED_APP = """
from fastapi import FastAPI, WebSocket
from jobstatus.fastapi import VerifiedWebhook, configure_webhooks, install
from jobstatus.webhooks import QueryTokenScheme, WebhookConfig

def webhook_app() -> FastAPI:
    app = FastAPI()

    @app.post("/webhooks")
    def receive(delivery: VerifiedWebhook) -> str:
        return str(delivery.event.event)

    return app

app = webhook_app() if CASE == "unconfigured" else FastAPI()
install(app)
if CASE == "mounted, unconfigured":
    app.mount("/sub", webhook_app())
if CASE == "mounted, configured":
    sub = webhook_app()
    configure_webhooks(sub, WebhookConfig(QueryTokenScheme(secrets=("t",))))
    app.mount("/sub", sub)
if CASE == "websocket":
    configure_webhooks(app, WebhookConfig(QueryTokenScheme(secrets=("t",))))

    @app.websocket("/ws")
    async def socket(websocket: WebSocket, delivery: VerifiedWebhook) -> None:
        return None
"""

CALL = "call jobstatus.fastapi.configure_webhooks(app, WebhookConfig(...))"
# (case, the error line uvicorn prints before it exits)
refused_starts = [
    ("unconfigured", f"RuntimeError: the route POST /webhooks needs the app's WebhookConfig, and it has none: {CALL}"
     " before the app starts"),
    ("mounted, unconfigured", "RuntimeError: the route POST /sub/webhooks needs the WebhookConfig of the app mounted"
     f" at /sub, and it has none: {CALL} on that app before the app starts"),
    ("websocket", "TypeError: the websocket route /ws depends on a webhook dependency (VerifiedWebhook or"
     " webhook_dependency), which reads the body of an HTTP request: a webhook is an HTTP POST, declare its route"
     " with @app.post"),
]  # fmt: skip


def _uvicorn(tmp_path: Path, case: str, port: int) -> list[str]:
    (tmp_path / "served.py").write_text(f"CASE = {case!r}\n{UNCONFIGURED_APP}")
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(tmp_path), "served:app"]
    return [*command, "--host", "127.0.0.1", "--port", str(port)]


@pytest.mark.parametrize(("case", "error"), refused_starts, ids=[case for case, _ in refused_starts])
def test_uvicorn_refuses_to_start_an_app_without_its_webhook_config(tmp_path: Path, case: str, error: str) -> None:
    command = _uvicorn(tmp_path, case, free_port())
    started = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    assert started.returncode == 3  # uvicorn's status for a failed start-up: it never listens
    lines = started.stderr.splitlines()
    assert lines[-1] == "ERROR:    Application startup failed. Exiting."
    assert error in lines


def test_uvicorn_serves_a_mounted_app_configured_on_its_own(tmp_path: Path) -> None:
    port = free_port()
    output = tmp_path / "server.log"
    with output.open("wb") as log:
        server = subprocess.Popen(_uvicorn(tmp_path, "mounted, configured", port), stdout=log, stderr=log)
        try:
            wait_until_listening(port, server, output)
            body = {"event": "ats_jobs.updated", "event_date": "2025-01-02T03:04:05Z"}
            answer = httpx.post(f"http://127.0.0.1:{port}/sub/webhooks?token=t", json=body, timeout=10)
            assert (answer.status_code, answer.json()) == (200, "ats_jobs.updated")
        finally:
            server.terminate()
            server.wait(timeout=10)


def test_a_folding_parameter_is_documented_as_the_enum() -> None:
    (parameter,) = APP.openapi()["paths"]["/jobs"]["get"]["parameters"]
    assert parameter["schema"]["enum"][-2:] == ["on_hold", "unmapped_value"]
    assert "```" not in parameter["schema"]["description"]


REDOCLY = ROOT / "tests" / "openapi-lint" / "node_modules" / ".bin" / "redocly"


def test_redocly_recommended_rules(tmp_path: Path) -> None:
    # `make openapi-lint` sets JOBSTATUS_OPENAPI_LINT=1: there a missing tool fails; `make test` skips.
    if not REDOCLY.exists() or shutil.which("node") is None:
        if os.environ.get("JOBSTATUS_OPENAPI_LINT") == "1":
            pytest.fail("Redocly's CLI is missing: run `npm ci` in tests/openapi-lint (make openapi-lint does)")
        pytest.skip("Redocly's CLI is not installed (make openapi-lint)")
    path = tmp_path / "status_api.json"
    from examples.status_api import create_app

    path.write_text(json.dumps(create_app().openapi()))
    config = ROOT / "tests" / "openapi-lint" / "redocly.yaml"
    result = subprocess.run(
        [str(REDOCLY), "lint", "--config", str(config), "--format", "json", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    report = json.loads(result.stdout)
    problems = [(p["ruleId"], p["severity"], p["message"]) for p in report["problems"]]
    assert problems == [], problems
    assert result.returncode == 0
