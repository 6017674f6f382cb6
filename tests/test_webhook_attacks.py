"""Attacks on the example receiver (`examples/fastapi_app.py`), each with its expected outcome.

Forged, altered, replayed and malformed deliveries go through the real FastAPI app in-process; the
body-size and slow-body attacks go over raw sockets to the same app under a real uvicorn server on
127.0.0.1. None of the refused ones may reach the route: the route's first act is to write the event
to the store, so an empty store is the proof.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
import uvicorn
from conftest import SERVER_SECRET
from fastapi import FastAPI
from helpers import answer_status, body_pieces, chunked_pieces, free_port, send_until_answered, sized

from examples.fastapi_app import create_app
from examples.store import SqliteEventStore
from jobstatus.webhooks import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_TOLERANCE_SECONDS,
    HmacSha256Scheme,
    StandardWebhooksScheme,
    WebhookConfig,
)

with warnings.catch_warnings():
    # Starlette warns at import that its TestClient prefers `httpx2`; the pinned set has httpx only.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

OTHER_SECRET = "whsec_" + base64.b64encode(b"an attacker's own secret!").decode()
STANDARD = StandardWebhooksScheme(secrets=(SERVER_SECRET,))
ATTACKER = StandardWebhooksScheme(secrets=(OTHER_SECRET,))
HMAC_SECRET = b"hmac-secret"
HMAC = HmacSha256Scheme(secrets=(HMAC_SECRET,))


def _body(event_id: str, value: str = "Closed") -> bytes:
    body = {
        "event": "ats_jobs.updated",
        "id": event_id,
        "data": {"id": f"job_{event_id}", "job_status": {"value": value}},
    }
    return json.dumps(body).encode()


class Store:
    """What the example receiver's store holds: the logged keys and the jobs it projects."""

    def __init__(self, db_path: Path) -> None:
        self.store = SqliteEventStore(db_path)

    def events(self) -> list[str]:
        return sorted(self.store.keys())

    def jobs(self) -> list[str]:
        # every body of this module is about the job `job_<event id>` (see `_body`)
        job_ids = [f"job_{name}" for name in ("evt_attack", "evt_other", "evt_slow", "evt_fast")]
        return [job_id for job_id in job_ids if self.store.current("job", job_id) is not None]


@pytest.fixture
def standard_app(tmp_path: Path) -> Iterator[tuple[TestClient, Store]]:
    store = Store(tmp_path / "events.db")
    with TestClient(create_app(WebhookConfig(STANDARD), store.store)) as client:
        yield client, store


@pytest.fixture
def hmac_app(tmp_path: Path) -> Iterator[tuple[TestClient, Store]]:
    store = Store(tmp_path / "events.db")
    with TestClient(create_app(WebhookConfig(HMAC), store.store)) as client:
        yield client, store


def _post(
    client: TestClient, body: bytes, headers: dict[str, str], content_type: str = "application/json"
) -> httpx.Response:
    return client.post("/webhooks", content=body, headers={"content-type": content_type, **headers})


# --------------------------------------------------------------------------------------------------
# Standard Webhooks (the example receiver's default scheme)
# --------------------------------------------------------------------------------------------------

BODY = _body("evt_attack")
Forgery = Callable[[], tuple[bytes, dict[str, str]]]


def _signed(
    body: bytes = BODY, *, msg_id: str = "msg_attack", age: float = 0, signer: StandardWebhooksScheme = STANDARD
) -> dict[str, str]:
    return signer.sign_headers(body, msg_id=msg_id, timestamp=time.time() - age)


def _with(headers: dict[str, str], **changes: str) -> dict[str, str]:
    return {**headers, **{name.replace("_", "-"): value for name, value in changes.items()}}


def _without(headers: dict[str, str], name: str) -> dict[str, str]:
    return {key: value for key, value in headers.items() if key != name}


def _resigned(transform: Callable[[str], str]) -> Forgery:
    """A genuine delivery whose signature header is then changed by `transform`."""

    def forgery() -> tuple[bytes, dict[str, str]]:
        headers = _signed()
        return BODY, _with(headers, webhook_signature=transform(headers["webhook-signature"]))

    return forgery


def _raw_secret_signature() -> tuple[bytes, dict[str, str]]:
    # A common sender mistake an attacker might also try: the secret's text, not its decoded bytes, as key.
    headers = _signed()
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + BODY
    digest = hmac.new(SERVER_SECRET.encode(), content, hashlib.sha256).digest()
    return BODY, _with(headers, webhook_signature="v1," + base64.b64encode(digest).decode())


# (case, forgery): every one is refused 401 and leaves the store empty.
standard_forgeries: list[tuple[str, Forgery]] = [
    # signed with a secret the receiver does not hold
    ("wrong secret", lambda: (BODY, _signed(signer=ATTACKER))),
    ("secret text as key", _raw_secret_signature),
    # the right signature, cut short: a prefix of it must not match
    ("truncated signature", _resigned(lambda signature: signature[:-8])),
    ("signature without its last 3 bytes", _resigned(lambda signature: signature[:-4])),
    ("version prefix only", lambda: (BODY, _with(_signed(), webhook_signature="v1,"))),
    ("empty signature", lambda: (BODY, _with(_signed(), webhook_signature=""))),
    # a valid signature under another version tag
    ("unknown version", _resigned(lambda signature: signature.replace("v1,", "v1a,"))),
    # a real signature for another body, or for this body under another id or timestamp
    ("signature for a different body", lambda: (BODY, _signed(_body("evt_other")))),
    ("body with a trailing space", lambda: (BODY + b" ", _signed())),
    ("id swapped", lambda: (BODY, _with(_signed(), webhook_id="msg_swapped"))),
    ("timestamp swapped", lambda: (BODY, _with(_signed(), webhook_timestamp=str(int(time.time()) - 10)))),
    # replays: a genuine signature, outside the tolerance either way
    ("replay outside the tolerance", lambda: (BODY, _signed(age=DEFAULT_TOLERANCE_SECONDS + 5))),
    ("timestamp in the future", lambda: (BODY, _signed(age=-(DEFAULT_TOLERANCE_SECONDS + 5)))),
    ("timestamp not a number", lambda: (BODY, _with(_signed(), webhook_timestamp="now"))),
    ("timestamp infinite", lambda: (BODY, _with(_signed(), webhook_timestamp="1e999"))),
    # each header missing in turn
    ("missing webhook-id", lambda: (BODY, _without(_signed(), "webhook-id"))),
    ("missing webhook-timestamp", lambda: (BODY, _without(_signed(), "webhook-timestamp"))),
    ("missing webhook-signature", lambda: (BODY, _without(_signed(), "webhook-signature"))),
    ("no headers", lambda: (BODY, {})),
    # many signatures, none valid: each is compared, none matches
    ("several signatures, none valid", lambda: (BODY, _with(_signed(), webhook_signature=" ".join(
        _signed(signer=ATTACKER, msg_id=f"m{n}")["webhook-signature"] for n in range(20))))),
    ("ten thousand junk signatures", _resigned(lambda signature: " ".join(["v1,AAAA"] * 10_000))),
]  # fmt: skip


@pytest.mark.parametrize("forgery", [f for _, f in standard_forgeries], ids=[c for c, _ in standard_forgeries])
def test_forged_deliveries_never_reach_the_route(standard_app: tuple[TestClient, Store], forgery: Forgery) -> None:
    client, store = standard_app
    body, headers = forgery()
    started = time.monotonic()
    response = _post(client, body, headers)
    assert (response.status_code, response.headers.get("www-authenticate")) == (401, "Signature")
    assert time.monotonic() - started < 5  # even ten thousand signatures are cheap to refuse
    assert SERVER_SECRET.removeprefix("whsec_") not in response.text
    assert store.events() == []
    assert store.jobs() == []


def test_several_signatures_with_one_valid_are_accepted_once(standard_app: tuple[TestClient, Store]) -> None:
    # The Standard Webhooks rule (for rotation): any one valid signature suffices. Junk around it
    # gains an attacker nothing, since the valid one needs the secret.
    client, store = standard_app
    headers = _signed()
    junk = [_signed(signer=ATTACKER, msg_id=f"m{n}")["webhook-signature"] for n in range(5)]
    signatures = " ".join([*junk[:3], headers["webhook-signature"], *junk[3:]])
    response = _post(client, BODY, _with(headers, webhook_signature=signatures))
    assert response.json() == {"key": "msg_attack", "duplicate": False}
    assert store.events() == ["msg_attack"]


def test_a_replay_inside_the_tolerance_is_stored_once(standard_app: tuple[TestClient, Store]) -> None:
    # A captured delivery replayed within the 5 minutes verifies, but is the same event: it is
    # answered 200 (so a sender's retry succeeds) and stored once.
    client, store = standard_app
    headers = _signed()
    answers = [_post(client, BODY, headers).json() for _ in range(3)]
    assert answers == [{"key": "msg_attack", "duplicate": dup} for dup in (False, True, True)]
    assert store.events() == ["msg_attack"]


def test_a_signed_body_that_is_not_json_is_refused_unparsed(standard_app: tuple[TestClient, Store]) -> None:
    client, store = standard_app
    for body, content_type, status in [
        (BODY, "text/plain", 415),  # the right bytes, the wrong content type
        (b"{nope", "application/json", 422),  # signed, but not JSON
        (b'{"event": "ats_jobs.updated", "data": {"x": NaN}}', "application/json", 422),  # not JSON either
    ]:
        assert _post(client, body, _signed(body), content_type).status_code == status
    assert store.events() == []


# Regression: these inputs made FastAPI's 422 response itself fail to render (its JSON encoder
# refuses non-finite floats), so the receiver answered 500. Non-finite inputs are echoed as text.
non_finite_bodies: list[tuple[bytes, dict[str, object]]] = [
    # a non-finite source_value
    (b'{"event": "ats_jobs.updated", "data": {"job_status": {"source_value": NaN}}}',
     {"type": "finite_number", "loc": ["body", "ats_jobs", "data", "job_status", "source_value", "number"],
      "input": "NaN"}),
    # a value that is not a string, with a non-finite number inside
    (b'{"event": "ats_jobs.updated", "data": {"job_status": {"value": [1, Infinity, {"k": -Infinity}]}}}',
     {"type": "status_value_type", "loc": ["body", "ats_jobs", "data", "job_status", "value"],
      "input": [1, "Infinity", {"k": "-Infinity"}]}),
    # an unknown key of the envelope (kept as JSON, so refused when it is not JSON)
    (b'{"event": "ats_jobs.updated", "retry": 1e400, "data": {}}',
     {"type": "finite_number", "loc": ["body", "ats_jobs", "retry", "number"], "input": "Infinity"}),
    # an event of another family, whose data is kept as JSON
    (b'{"event": "account.updated", "data": {"quota": NaN}}',
     {"type": "finite_number", "loc": ["body", "other", "data", "object", "quota", "number"], "input": "NaN"}),
]  # fmt: skip


@pytest.mark.parametrize(("body", "error"), non_finite_bodies)
def test_non_finite_numbers_are_a_422_not_a_500(
    standard_app: tuple[TestClient, Store], body: bytes, error: dict[str, object]
) -> None:
    client, store = standard_app
    response = _post(client, body, _signed(body))
    assert response.status_code == 422
    (detail,) = response.json()["detail"]
    assert {key: detail[key] for key in error} == error
    assert store.events() == []


# --------------------------------------------------------------------------------------------------
# HMAC-SHA256 of the body
# --------------------------------------------------------------------------------------------------


def _hmac_hex(body: bytes, key: bytes = HMAC_SECRET) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


# (case, body, x-signature header value): every one is refused 401 and leaves the store empty.
hmac_forgeries: list[tuple[str, bytes, str]] = [
    ("wrong secret", BODY, _hmac_hex(BODY, b"guess")),
    ("truncated signature", BODY, _hmac_hex(BODY)[:-2]),
    ("odd-length hex", BODY, _hmac_hex(BODY)[:-1]),
    ("prefix only", BODY, "sha256="),
    ("not hex", BODY, "z" * 64),
    ("base64 where hex is configured", BODY, base64.b64encode(bytes.fromhex(_hmac_hex(BODY))).decode()),
    ("signature for a different body", BODY, _hmac_hex(_body("evt_other"))),
    ("signature of the empty body", BODY, _hmac_hex(b"")),
    ("sha1 instead of sha256", BODY, hmac.new(HMAC_SECRET, BODY, hashlib.sha1).hexdigest()),
    ("doubled signature", BODY, _hmac_hex(BODY) * 2),
]


@pytest.mark.parametrize(("case", "body", "signature"), hmac_forgeries, ids=[c for c, _, _ in hmac_forgeries])
def test_forged_hmac_deliveries_never_reach_the_route(
    hmac_app: tuple[TestClient, Store], case: str, body: bytes, signature: str
) -> None:
    client, store = hmac_app
    response = _post(client, body, {"x-signature": signature})
    assert response.status_code == 401
    assert _hmac_hex(body) not in response.text
    assert store.events() == []


def test_an_hmac_replay_is_stored_once(hmac_app: tuple[TestClient, Store]) -> None:
    # HMAC of the body has no timestamp, so a replay verifies: the idempotency key (a digest of the
    # event) is what keeps it from being stored twice.
    client, store = hmac_app
    answers = [_post(client, BODY, {"x-signature": _hmac_hex(BODY)}).json() for _ in range(2)]
    key = answers[0]["key"]
    assert key.startswith("sha256:")
    assert answers == [{"key": key, "duplicate": False}, {"key": key, "duplicate": True}]
    assert store.events() == [key]


# --------------------------------------------------------------------------------------------------
# A real uvicorn server: bodies too large to hold, and bodies that never finish
# --------------------------------------------------------------------------------------------------

BODY_TIMEOUT = sized(0.5, 1.0)  # seconds; each slow-body test waits for it


class LiveServer:
    def __init__(self, app: FastAPI, store: Store) -> None:
        self.port = free_port()
        self.store = store
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="critical"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        return sock


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = Store(tmp_path_factory.mktemp("live") / "events.db")
    app = create_app(WebhookConfig(STANDARD, body_timeout_seconds=BODY_TIMEOUT), store.store)
    live = LiveServer(app, store)
    live.thread.start()
    deadline = time.monotonic() + 20
    while not live.server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield live
    finally:
        live.server.should_exit = True
        live.thread.join(timeout=10)


def _head(length: int | None, headers: dict[str, str]) -> bytes:
    lines = ["POST /webhooks HTTP/1.1", "host: 127.0.0.1", "content-type: application/json"]
    lines.append(f"content-length: {length}" if length is not None else "transfer-encoding: chunked")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


HUNDRED_MB = 100 * 1024 * 1024


@pytest.mark.parametrize("declared", [True, False], ids=["declared length", "chunked"])
def test_a_hundred_megabyte_body_is_refused_before_it_is_read_whole(live: LiveServer, declared: bool) -> None:
    started = time.monotonic()
    with closing(live.connect()) as sock:
        signed = _signed(b"x", msg_id="msg_huge")
        sock.sendall(_head(HUNDRED_MB if declared else None, signed))
        status, sent = send_until_answered(sock, body_pieces(HUNDRED_MB) if declared else chunked_pieces(HUNDRED_MB))
    assert status == 413
    # Refused at the declared length, or at the first chunk past the limit; what was sent beyond
    # that sat in socket buffers, never in the receiver's memory.
    assert sent < 8 * DEFAULT_MAX_BODY_SIZE
    assert time.monotonic() - started < 20
    assert "msg_huge" not in live.store.events()


@pytest.mark.parametrize("declared", [True, False], ids=["declared length", "chunked"])
def test_a_slow_body_is_cut_off_and_the_server_keeps_serving(live: LiveServer, declared: bool) -> None:
    body = _body("evt_slow")
    signed = _signed(body, msg_id="msg_slow")
    with closing(live.connect()) as sock:
        started = time.monotonic()
        sock.sendall(_head(len(body) if declared else None, signed))
        # One byte now and then: the body would take far longer than the timeout to arrive.
        for index in range(5):
            byte = body[index : index + 1]
            sock.sendall(byte if declared else b"1\r\n" + byte + b"\r\n")
            time.sleep(BODY_TIMEOUT / 10)
        # Meanwhile another delivery is served at once: the slow one holds no worker.
        other = _body("evt_fast")
        answer = httpx.post(
            f"http://127.0.0.1:{live.port}/webhooks",
            content=other,
            headers={"content-type": "application/json", **_signed(other, msg_id="msg_fast")},
            timeout=10,
        )
        assert answer.status_code == 200
        sock.settimeout(BODY_TIMEOUT * 10)
        assert answer_status(sock) == 408
        assert time.monotonic() - started < BODY_TIMEOUT * 10
    keys = live.store.events()
    assert "msg_fast" in keys
    assert "msg_slow" not in keys


# --------------------------------------------------------------------------------------------------
# Configurations that would weaken the receiver are refused when built
# --------------------------------------------------------------------------------------------------

weak_configs: list[tuple[str, Callable[[], object], str]] = [
    # a body timeout that never fires, or fires at once
    ("no body timeout", lambda: WebhookConfig(STANDARD, body_timeout_seconds=0), "body_timeout_seconds"),
    ("negative body timeout", lambda: WebhookConfig(STANDARD, body_timeout_seconds=-1), "body_timeout_seconds"),
    ("NaN body timeout", lambda: WebhookConfig(STANDARD, body_timeout_seconds=float("nan")), "body_timeout_seconds"),
    # a secret that is not base64 (the message never repeats it)
    ("secret not base64", lambda: StandardWebhooksScheme(secrets=("whsec_not base64!",)), "must be base64"),
    ("empty secret", lambda: HmacSha256Scheme(secrets=("",)), "non-empty secret"),
]


@pytest.mark.parametrize(("make", "message"), [c[1:] for c in weak_configs], ids=[c[0] for c in weak_configs])
def test_weak_configurations_are_refused(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        make()
    assert "not base64!" not in str(caught.value)
