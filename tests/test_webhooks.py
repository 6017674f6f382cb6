"""Unit tests of jobstatus.webhooks: envelope models, the three schemes, the limits, the entry point."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import pytest
from pydantic import ValidationError

from jobstatus import JobPostingStatus, JobPostingStatusValue, JobStatus, JobStatusValue
from jobstatus.webhooks import (
    WEBHOOK_EVENT_ADAPTER,
    HmacSha256Scheme,
    Job,
    JobEvent,
    JobPostingEvent,
    OtherEvent,
    PayloadTooLargeError,
    QueryTokenScheme,
    StandardWebhooksScheme,
    UnsupportedContentTypeError,
    WebhookConfig,
    WebhookEventType,
    WebhookVerificationError,
    check_content_length,
    check_content_type,
    read_limited,
    receive_webhook,
)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_" + base64.b64encode(b"another secret of 24 byte").decode()
SAMPLE = (
    b'{"event": "ats_jobs.updated", "data": {"id": "c28xIQ", "remote_id": "8187e5da",'
    b' "title": "Software Engineer", "job_status": {"value": "On Hold", "source_value": "On Hold"}}}'
)
JSON = {"content-type": "application/json"}

# --------------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------------


def test_the_sample_body_is_accepted_and_normalized() -> None:
    event = WEBHOOK_EVENT_ADAPTER.validate_json(SAMPLE)
    assert isinstance(event, JobEvent)
    assert event.event is WebhookEventType.ATS_JOBS_UPDATED
    assert event.data == Job(
        id="c28xIQ",
        remote_id="8187e5da",
        title="Software Engineer",
        job_status=JobStatus(value=JobStatusValue.ON_HOLD, source_value="On Hold"),
    )


valid_events: list[tuple[dict[str, Any], type[Any], Any]] = [
    # each documented job event type is the enum member
    ({"event": "ats_jobs.created", "data": {}}, JobEvent, WebhookEventType.ATS_JOBS_CREATED),
    ({"event": "ats_jobs.deleted", "data": {"id": "j1"}}, JobEvent, WebhookEventType.ATS_JOBS_DELETED),
    ({"event": "ats_job_postings.updated", "data": {}}, JobPostingEvent, WebhookEventType.ATS_JOB_POSTINGS_UPDATED),
    # an unknown job event type is kept as a string and still gets a typed Job
    ({"event": "ats_jobs.archived", "data": {"id": "j1"}}, JobEvent, "ats_jobs.archived"),
    # an unknown family is kept, with its data as plain JSON
    ({"event": "ats_candidates.created", "data": [1, "x"]}, OtherEvent, "ats_candidates.created"),
    ({"event": "account.created"}, OtherEvent, WebhookEventType.ACCOUNT_CREATED),
    # the alternative key for the event type (see ENVELOPE_ALIASES)
    ({"type": "ats_jobs.updated", "data": {}}, JobEvent, WebhookEventType.ATS_JOBS_UPDATED),
]


@pytest.mark.parametrize(("body", "model", "event_type"), valid_events)
def test_valid_events(body: dict[str, Any], model: type[Any], event_type: Any) -> None:
    for event in (WEBHOOK_EVENT_ADAPTER.validate_python(body), WEBHOOK_EVENT_ADAPTER.validate_json(json.dumps(body))):
        assert type(event) is model
        assert event.event == event_type
        assert type(event.event) is type(event_type)


def test_nothing_is_lost() -> None:
    body = {
        "event": "ats_jobs.updated",
        "id": "evt_1",
        "created_at": "2025-01-02T03:04:05Z",
        "account_id": "acc_1",
        "delivery": {"attempt": 2},
        "data": {"id": "j1", "status": "open", "hiring_team": [{"id": 1}], "job_status": {"source_value": {"k": [1]}}},
    }
    event = WEBHOOK_EVENT_ADAPTER.validate_python(body)
    assert isinstance(event, JobEvent)
    assert event.id == "evt_1"
    assert event.account_id == "acc_1"
    assert event.created_at is not None
    assert event.model_extra == {"delivery": {"attempt": 2}}
    assert event.data.status == "open"
    assert event.data.model_extra == {"hiring_team": [{"id": 1}]}
    assert event.data.job_status is not None
    assert event.data.job_status.source_value == {"k": [1]}
    dumped = json.loads(WEBHOOK_EVENT_ADAPTER.dump_json(event, exclude_unset=True))
    assert dumped["delivery"] == body["delivery"]
    assert dumped["data"]["hiring_team"] == [{"id": 1}]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        # the object form is normalized
        (
            {"value": "LIVE", "source_value": "Live"},
            JobPostingStatus(value=JobPostingStatusValue.LIVE, source_value="Live"),
        ),
        # a plain string (older payloads) is kept as it is
        ("live", "live"),
        (None, None),
    ],
)
def test_job_posting_status(status: Any, expected: Any) -> None:
    event = WEBHOOK_EVENT_ADAPTER.validate_python({"event": "ats_job_postings.created", "data": {"status": status}})
    assert isinstance(event, JobPostingEvent)
    assert event.data.status == expected


invalid_events: list[tuple[bytes, str, tuple[str | int, ...]]] = [
    # not an object at all
    (b"[1, 2]", "webhook_envelope_type", ()),
    (b'"ats_jobs.updated"', "webhook_envelope_type", ()),
    # not JSON
    (b'{"event": ', "json_invalid", ()),
    # no event type
    (b'{"data": {}}', "missing", ("other", "event")),
    # a job event without its job
    (b'{"event": "ats_jobs.updated"}', "missing", ("ats_jobs", "data")),
    # a status value that is not a string, reported at its exact place
    (b'{"event": "ats_jobs.updated", "data": {"job_status": {"value": 3}}}', "status_value_type",
     ("ats_jobs", "data", "job_status", "value")),
    # a job id that is not a string
    (b'{"event": "ats_jobs.updated", "data": {"id": 7}}', "string_type", ("ats_jobs", "data", "id")),
]  # fmt: skip


@pytest.mark.parametrize(("body", "error_type", "loc"), invalid_events)
def test_invalid_events(body: bytes, error_type: str, loc: tuple[str | int, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        WEBHOOK_EVENT_ADAPTER.validate_json(body)
    (error,) = caught.value.errors()
    assert (error["type"], error["loc"]) == (error_type, loc)


# --------------------------------------------------------------------------------------------------
# Schemes
# --------------------------------------------------------------------------------------------------

STANDARD = StandardWebhooksScheme(secrets=(SECRET,))
BODY = b'{"event": "ats_jobs.created", "data": {}}'


def _standard(body: bytes = BODY, secret: str = SECRET, *, age: float = 0, msg_id: str = "msg_1") -> dict[str, str]:
    return StandardWebhooksScheme(secrets=(secret,)).sign_headers(body, msg_id=msg_id, timestamp=time.time() - age)


def _hmac(body: bytes, key: bytes, encoding: str, prefix: str = "sha256=") -> str:
    digest = hmac.new(key, body, hashlib.sha256).digest()
    return prefix + (digest.hex() if encoding == "hex" else base64.b64encode(digest).decode())


def _replace_signature(headers: dict[str, str], signature: str) -> dict[str, str]:
    return {**headers, "webhook-signature": signature}


# Headers are signed when the test runs, not at collection: a long suite must not age them.
Headers = Callable[[], dict[str, str]]

standard_accepted: list[tuple[StandardWebhooksScheme, Headers]] = [
    (STANDARD, lambda: _standard()),
    # header names in any case
    (STANDARD, lambda: {key.upper(): value for key, value in _standard().items()}),
    # rotation: the receiver holds the old and the new secret
    (StandardWebhooksScheme(secrets=(OTHER_SECRET, SECRET)), lambda: _standard()),
    # rotation: the sender signs with two secrets, one of them known
    (STANDARD, lambda: _replace_signature(_standard(), f"{_standard(secret=OTHER_SECRET)['webhook-signature']} "
                                                        f"{_standard()['webhook-signature']}")),
    # inside a custom tolerance
    (StandardWebhooksScheme(secrets=(SECRET,), tolerance_seconds=60), lambda: _standard(age=50)),
]  # fmt: skip


@pytest.mark.parametrize(("scheme", "headers"), standard_accepted)
def test_standard_webhooks_accepts(scheme: StandardWebhooksScheme, headers: Headers) -> None:
    assert scheme.verify(BODY, headers(), {}) == "msg_1"


standard_refused: list[tuple[StandardWebhooksScheme, bytes, Headers, str]] = [
    # no headers at all, or one missing
    (STANDARD, BODY, dict, "signature_missing"),
    (STANDARD, BODY, lambda: {k: v for k, v in _standard().items() if k != "webhook-id"}, "signature_missing"),
    # a body changed after signing
    (STANDARD, BODY.replace(b"created", b"deleted"), lambda: _standard(), "signature_invalid"),
    # signed with a secret the receiver does not hold
    (STANDARD, BODY, lambda: _standard(secret=OTHER_SECRET), "signature_invalid"),
    # replays: too old, too new, under a tighter tolerance, garbage timestamps
    (STANDARD, BODY, lambda: _standard(age=302), "timestamp_outside_tolerance"),
    (STANDARD, BODY, lambda: _standard(age=-302), "timestamp_outside_tolerance"),
    (StandardWebhooksScheme(secrets=(SECRET,), tolerance_seconds=60), BODY, lambda: _standard(age=70),
     "timestamp_outside_tolerance"),
    (STANDARD, BODY, lambda: {**_standard(), "webhook-timestamp": "soon"}, "timestamp_outside_tolerance"),
    (STANDARD, BODY, lambda: {**_standard(), "webhook-timestamp": "nan"}, "timestamp_outside_tolerance"),
    # malformed signatures that make standardwebhooks 1.1 raise ValueError
    (STANDARD, BODY, lambda: _replace_signature(_standard(), "v1"), "signature_invalid"),
    (STANDARD, BODY, lambda: _replace_signature(_standard(), "v1,not base64!"), "signature_invalid"),
    # an unknown version prefix
    (STANDARD, BODY, lambda: _replace_signature(_standard(), "v2" + _standard()["webhook-signature"][2:]),
     "signature_invalid"),
    # a body that is not UTF-8 (standardwebhooks decodes it)
    (STANDARD, b"\xff\xfe", lambda: _standard(b"x"), "signature_invalid"),
    # a signature for another message id
    (STANDARD, BODY, lambda: {**_standard(), "webhook-id": "msg_2"}, "signature_invalid"),
]  # fmt: skip


@pytest.mark.parametrize(("scheme", "body", "headers", "code"), standard_refused)
def test_standard_webhooks_refuses(scheme: StandardWebhooksScheme, body: bytes, headers: Headers, code: str) -> None:
    with pytest.raises(WebhookVerificationError) as caught:
        scheme.verify(body, headers(), {})
    assert caught.value.code == code
    assert caught.value.status_code == 401
    assert SECRET not in str(caught.value)


KEY = b"s3cret"

hmac_cases: list[tuple[HmacSha256Scheme, Mapping[str, str], bytes, str | None]] = [
    # hex and base64, with and without the prefix, any header case
    (HmacSha256Scheme(secrets=("s3cret",)), {"X-Signature": _hmac(BODY, KEY, "hex")}, BODY, None),
    (HmacSha256Scheme(secrets=("s3cret",)), {"x-signature": _hmac(BODY, KEY, "hex", "")}, BODY, None),
    (HmacSha256Scheme(secrets=("s3cret",)), {"x-signature": _hmac(BODY, KEY, "hex", "SHA256=")}, BODY, None),
    (HmacSha256Scheme(secrets=("s3cret",), encoding="base64"), {"x-signature": _hmac(BODY, KEY, "b64")}, BODY, None),
    # a custom header, bytes secrets, rotation
    (HmacSha256Scheme(secrets=(b"old", KEY), header="X-Hub-Signature-256"),
     {"x-hub-signature-256": _hmac(BODY, KEY, "hex")}, BODY, None),
    # refusals
    (HmacSha256Scheme(secrets=("s3cret",)), {}, BODY, "signature_missing"),
    (HmacSha256Scheme(secrets=("s3cret",)), {"x-signature": _hmac(BODY, KEY, "hex")}, BODY + b" ", "signature_invalid"),
    (HmacSha256Scheme(secrets=("other",)), {"x-signature": _hmac(BODY, KEY, "hex")}, BODY, "signature_invalid"),
    (HmacSha256Scheme(secrets=("s3cret",)), {"x-signature": "sha256=zz"}, BODY, "signature_malformed"),
    # base64 sent to a hex receiver
    (HmacSha256Scheme(secrets=("s3cret",)), {"x-signature": _hmac(BODY, KEY, "b64")}, BODY, "signature_malformed"),
    (HmacSha256Scheme(secrets=("s3cret",), encoding="base64"), {"x-signature": "sha256=***"}, BODY,
     "signature_malformed"),
]  # fmt: skip


@pytest.mark.parametrize(("scheme", "headers", "body", "code"), hmac_cases)
def test_hmac_sha256(scheme: HmacSha256Scheme, headers: Mapping[str, str], body: bytes, code: str | None) -> None:
    if code is None:
        assert scheme.verify(body, headers, {}) is None
        return
    with pytest.raises(WebhookVerificationError) as caught:
        scheme.verify(body, headers, {})
    assert caught.value.code == code
    assert _hmac(BODY, KEY, "hex") not in str(caught.value)


token_cases: list[tuple[Mapping[str, str], str | None]] = [
    ({"token": "s3cret"}, None),
    # rotation
    ({"token": "next"}, None),
    ({}, "token_missing"),
    ({"token": ""}, "token_missing"),
    ({"token": "s3cre"}, "token_invalid"),
    # non-ASCII: compare_digest on str would raise TypeError
    ({"token": "sécret"}, "token_invalid"),
]


@pytest.mark.parametrize(("query", "code"), token_cases)
def test_query_token(query: Mapping[str, str], code: str | None) -> None:
    scheme = QueryTokenScheme(secrets=("s3cret", "next"))
    if code is None:
        assert scheme.verify(BODY, {}, query) is None
        return
    with pytest.raises(WebhookVerificationError) as caught:
        scheme.verify(BODY, {}, query)
    assert caught.value.code == code
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    "make",
    [
        lambda: StandardWebhooksScheme(secrets=()),
        lambda: StandardWebhooksScheme(secrets=("",)),
        lambda: StandardWebhooksScheme(secrets=(SECRET,), tolerance_seconds=301),
        lambda: StandardWebhooksScheme(secrets=(SECRET,), tolerance_seconds=0),
        lambda: HmacSha256Scheme(secrets=()),
        lambda: HmacSha256Scheme(secrets=("k",), encoding="base32"),  # type: ignore[arg-type]
        lambda: QueryTokenScheme(secrets=("",)),
        lambda: WebhookConfig(QueryTokenScheme(secrets=("k",)), max_body_size=0),
    ],
)
def test_bad_configuration_fails_early(make: Any) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each message is checked to be secret-free elsewhere
        make()


def test_one_string_is_one_secret() -> None:
    assert QueryTokenScheme(secrets="abc").secrets == ("abc",)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# Limits and the entry point
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "ok"),
    [
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("application/cloudevents+json", True),
        (None, False),
        ("", False),
        ("text/plain", False),
        ("application/x-www-form-urlencoded", False),
        ("text/json", False),
    ],
)
def test_content_type(content_type: str | None, ok: bool) -> None:
    if ok:
        check_content_type(content_type)
        return
    with pytest.raises(UnsupportedContentTypeError) as caught:
        check_content_type(content_type)
    assert caught.value.status_code == 415


@pytest.mark.parametrize(("declared", "ok"), [(None, True), ("10", True), ("11", False), ("x", True)])
def test_declared_length(declared: str | None, ok: bool) -> None:
    if ok:
        check_content_length(declared, 10)
        return
    with pytest.raises(PayloadTooLargeError):
        check_content_length(declared, 10)


def test_read_limited_stops_at_the_first_chunk_past_the_limit() -> None:
    pulled: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        while True:
            pulled.append(1)
            yield b"x" * 1000

    with pytest.raises(PayloadTooLargeError):
        asyncio.run(read_limited(endless(), 2500))
    assert len(pulled) == 3


def test_receive_webhook_checks_in_order() -> None:
    config = WebhookConfig(QueryTokenScheme(secrets=("s3cret",)), max_body_size=len(SAMPLE))
    good = {"token": "s3cret"}
    delivery = receive_webhook(SAMPLE, JSON, good, config)
    assert isinstance(delivery.event, JobEvent)
    # neither the scheme nor the envelope has an id: the key is the body's hash
    assert delivery.idempotency_key == "sha256:" + hashlib.sha256(SAMPLE).hexdigest()
    with pytest.raises(UnsupportedContentTypeError):
        receive_webhook(SAMPLE, {"content-type": "text/plain"}, good, config)
    with pytest.raises(PayloadTooLargeError):
        receive_webhook(SAMPLE + b" ", JSON, good, config)
    # an invalid body with a bad token is refused as unverified: it is never parsed
    with pytest.raises(WebhookVerificationError):
        receive_webhook(b"{not json", JSON, {"token": "nope"}, config)
    with pytest.raises(ValidationError):
        receive_webhook(b"{not json", JSON, good, config)


def test_idempotency_key_prefers_the_delivery_id() -> None:
    body = b'{"event": "x", "id": "evt_1"}'
    signed = {**JSON, **STANDARD.sign_headers(body, msg_id="msg_1")}
    delivery = receive_webhook(body, signed, {}, WebhookConfig(STANDARD))
    assert (delivery.delivery_id, delivery.idempotency_key) == ("msg_1", "msg_1")
    # a scheme without a delivery id falls back to the envelope's id
    token = receive_webhook(body, JSON, {"token": "t"}, WebhookConfig(QueryTokenScheme(secrets=("t",))))
    assert (token.delivery_id, token.idempotency_key) == (None, "evt_1")
