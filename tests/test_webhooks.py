"""Unit tests of jobstatus.webhooks: the upstream's envelope, the schemes (the upstream's checked
against Node's crypto, as the upstream signs), the one receiving pipeline, identity and time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import node_signatures
from pydantic import ValidationError

from jobstatus import JobPostingStatus, JobPostingStatusValue, JobStatus, JobStatusValue
from jobstatus.webhooks import (
    WEBHOOK_EVENT_ADAPTER,
    HmacSha256Scheme,
    IncomingWebhook,
    Job,
    JobEvent,
    JobPosting,
    JobPostingEvent,
    JobPostingsPage,
    JobsPage,
    MalformedRequestError,
    OtherEvent,
    PayloadTooLargeError,
    QueryTokenScheme,
    StackOneScheme,
    StandardWebhooksScheme,
    UnsupportedContentTypeError,
    WebhookConfig,
    WebhookError,
    WebhookEventType,
    WebhookVerificationError,
    idempotency_key,
    receive_webhook,
    scheme_parameters,
)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_" + base64.b64encode(b"another secret of 24 byte").decode()
# A body shaped as the upstream documents its unified events.
SAMPLE = json.dumps(
    {
        "event": "ats_jobs.updated",
        "event_date": "2025-03-04T10:11:12.000Z",
        "sent_at": "2025-03-04T10:11:15.000Z",
        "record_type": "job",
        "record_id": "c28xIQ",
        "record_remote_id": "8187e5da",
        "account_id": "acc_1",
        "project_id": "proj_1",
        "provider": "greenhouse",
        "origin_owner_id": "owner_1",
        "origin_owner_name": "Acme",
        "origin_username": "ops@acme.test",
        "raw_event": {"action": "job_updated", "payload": {"job": {"id": 8187, "status": "open"}}},
        "event_data": {
            "id": "c28xIQ",
            "remote_id": "8187e5da",
            "title": "Software Engineer",
            "job_status": {"value": "On Hold", "source_value": "On Hold"},
        },
    }
).encode()
JSON = {"content-type": "application/json"}

# --------------------------------------------------------------------------------------------------
# The envelope
# --------------------------------------------------------------------------------------------------


def test_the_documented_envelope_is_typed_and_normalized() -> None:
    event = WEBHOOK_EVENT_ADAPTER.validate_json(SAMPLE)
    assert isinstance(event, JobEvent)
    assert event.event is WebhookEventType.ATS_JOBS_UPDATED
    assert event.event_date == datetime(2025, 3, 4, 10, 11, 12, tzinfo=UTC)
    assert event.sent_at == datetime(2025, 3, 4, 10, 11, 15, tzinfo=UTC)
    assert (event.record_type, event.record_id, event.record_remote_id) == ("job", "c28xIQ", "8187e5da")
    assert (event.account_id, event.project_id, event.provider) == ("acc_1", "proj_1", "greenhouse")
    assert (event.origin_owner_id, event.origin_owner_name, event.origin_username) == (
        "owner_1",
        "Acme",
        "ops@acme.test",
    )
    assert event.raw_event == {"action": "job_updated", "payload": {"job": {"id": 8187, "status": "open"}}}
    assert event.record == Job(
        id="c28xIQ",
        remote_id="8187e5da",
        title="Software Engineer",
        job_status=JobStatus(value=JobStatusValue.ON_HOLD, source_value="On Hold"),
    )
    assert event.record_status == JobStatus(value=JobStatusValue.ON_HOLD, source_value="On Hold")
    # every key round-trips, the raw event exactly
    dumped = json.loads(WEBHOOK_EVENT_ADAPTER.dump_json(event, exclude_unset=True))
    original = json.loads(SAMPLE)
    assert dumped["raw_event"] == original["raw_event"]
    assert dumped["event_data"]["job_status"] == {"value": "on_hold", "source_value": "On Hold"}
    assert set(dumped) == set(original)


valid_events: list[tuple[dict[str, Any], type[Any], Any]] = [
    # each documented job event type is the enum member
    ({"event": "ats_jobs.created", "event_data": {}}, JobEvent, WebhookEventType.ATS_JOBS_CREATED),
    ({"event": "ats_jobs.deleted", "event_data": {"id": "j1"}}, JobEvent, WebhookEventType.ATS_JOBS_DELETED),
    ({"event": "ats_job_postings.updated", "data": {}}, JobPostingEvent, WebhookEventType.ATS_JOB_POSTINGS_UPDATED),
    # an unknown job event type is kept as a string and still gets a typed Job
    ({"event": "ats_jobs.archived", "event_data": {"id": "j1"}}, JobEvent, "ats_jobs.archived"),
    # other families are kept, their record as plain JSON
    ({"event": "ats_candidates.created", "event_data": [1, "x"]}, OtherEvent, "ats_candidates.created"),
    ({"event": "account.created"}, OtherEvent, WebhookEventType.ACCOUNT_CREATED),
    ({"event": "request.failed"}, OtherEvent, WebhookEventType.REQUEST_FAILED),
    # every field is optional, the event type too
    ({}, OtherEvent, None),
    # a job event without its record
    ({"event": "ats_jobs.updated"}, JobEvent, WebhookEventType.ATS_JOBS_UPDATED),
]


@pytest.mark.parametrize(("body", "model", "event_type"), valid_events)
def test_valid_events(body: dict[str, Any], model: type[Any], event_type: Any) -> None:
    for event in (WEBHOOK_EVENT_ADAPTER.validate_python(body), WEBHOOK_EVENT_ADAPTER.validate_json(json.dumps(body))):
        assert type(event) is model
        assert event.event == event_type
        assert type(event.event) is type(event_type)


@pytest.mark.parametrize(
    ("body", "record"),
    [
        # the documented key
        ({"event_data": {"id": "a"}}, Job(id="a")),
        # some bodies carry `data` instead
        ({"data": {"id": "b"}}, Job(id="b")),
        # both: event_data is the record, and data is validated and kept too
        ({"event_data": {"id": "a"}, "data": {"id": "b"}}, Job(id="a")),
        # event_data present but null is still the one the body chose
        ({"event_data": None, "data": {"id": "b"}}, None),
        ({}, None),
    ],
)
def test_the_record_is_event_data_else_data(body: dict[str, Any], record: Job | None) -> None:
    event = WEBHOOK_EVENT_ADAPTER.validate_python({"event": "ats_jobs.updated", **body})
    assert isinstance(event, JobEvent)
    assert event.record == record
    if "data" in body and "event_data" in body and body["data"] is not None:
        assert event.data == Job(id="b")


def test_nothing_is_lost() -> None:
    body = {
        "event": "ats_jobs.updated",
        "delivery": {"attempt": 2},
        "event_data": {"id": "j1", "hiring_team": [{"id": 1}], "job_status": {"source_value": {"k": [1]}}},
    }
    event = WEBHOOK_EVENT_ADAPTER.validate_python(body)
    assert isinstance(event, JobEvent)
    assert event.record is not None
    assert event.model_extra == {"delivery": {"attempt": 2}}
    assert event.record.model_extra == {"hiring_team": [{"id": 1}]}
    assert event.record_status is not None
    assert event.record_status.source_value == {"k": [1]}
    assert json.loads(WEBHOOK_EVENT_ADAPTER.dump_json(event, exclude_unset=True)) == body


@pytest.mark.parametrize(
    ("provider", "status", "expected"),
    [
        # the envelope's provider picks the vocabulary, whatever its case
        ("workday", "Frozen", JobStatusValue.ON_HOLD),
        ("Workday", "Frozen", JobStatusValue.ON_HOLD),
        ("jazzhr", "ON_HOLD", JobStatusValue.ON_HOLD),
        # an unknown or absent provider reads the generic vocabulary
        ("no-such-ats", "closed", JobStatusValue.CLOSED),
        (None, "open", JobStatusValue.OPEN),
        (None, "Frozen", JobStatusValue.UNMAPPED_VALUE),
    ],
)
def test_job_status_is_inferred_from_the_deprecated_status(
    provider: str | None, status: str, expected: JobStatusValue
) -> None:
    event = WEBHOOK_EVENT_ADAPTER.validate_json(
        json.dumps({"event": "ats_jobs.updated", "provider": provider, "event_data": {"status": status}})
    )
    assert isinstance(event, JobEvent)
    assert event.record is not None
    assert event.record.job_status == JobStatus(value=expected, source_value=status)
    assert event.record.status == status  # the deprecated field itself is kept


def test_an_explicit_job_status_wins_over_the_deprecated_status() -> None:
    event = WEBHOOK_EVENT_ADAPTER.validate_python(
        {"event": "ats_jobs.updated", "event_data": {"status": "open", "job_status": {"value": "closed"}}}
    )
    assert event.record_status == JobStatus(value=JobStatusValue.CLOSED)
    # an explicit null is the sender's word too
    event = WEBHOOK_EVENT_ADAPTER.validate_python(
        {"event": "ats_jobs.updated", "event_data": {"status": "open", "job_status": None}}
    )
    assert event.record_status is None


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
    event = WEBHOOK_EVENT_ADAPTER.validate_python(
        {"event": "ats_job_postings.created", "event_data": {"status": status}}
    )
    assert isinstance(event, JobPostingEvent)
    assert event.record == JobPosting(status=expected)
    assert event.record_status == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-04T10:11:12Z", datetime(2025, 3, 4, 10, 11, 12, tzinfo=UTC)),
        ("2025-03-04T12:11:12+02:00", datetime(2025, 3, 4, 10, 11, 12, tzinfo=UTC)),
        # a naive time is read as UTC, not refused
        ("2025-03-04T10:11:12", datetime(2025, 3, 4, 10, 11, 12, tzinfo=UTC)),
        # Unix time
        (1741083072, datetime(2025, 3, 4, 10, 11, 12, tzinfo=UTC)),
    ],
)
def test_event_times_are_aware(value: Any, expected: datetime) -> None:
    event = WEBHOOK_EVENT_ADAPTER.validate_python({"event": "account.updated", "event_date": value, "sent_at": value})
    assert event.event_date == expected
    assert event.event_date.tzinfo is not None
    assert event.sent_at == expected


invalid_events: list[tuple[bytes, list[tuple[str, tuple[str | int, ...]]]]] = [
    # not an object at all
    (b"[1, 2]", [("webhook_envelope_type", ())]),
    (b'"ats_jobs.updated"', [("webhook_envelope_type", ())]),
    # not JSON
    (b'{"event": ', [("json_invalid", ())]),
    # malformed times, at their own loc
    (
        b'{"event": "ats_jobs.updated", "event_date": "yesterday"}',
        [("datetime_from_date_parsing", ("ats_jobs", "event_date"))],
    ),
    (
        b'{"event": "account.created", "sent_at": "2025-13-01T00:00:00Z"}',
        [("datetime_from_date_parsing", ("other", "sent_at"))],
    ),
    # a record id is a string or an integer, never converted: each branch says why not
    (
        b'{"event": "ats_jobs.updated", "record_id": true}',
        [("string_type", ("ats_jobs", "record_id", "str")), ("int_type", ("ats_jobs", "record_id", "int"))],
    ),
    # a status value that is not a string, reported at its exact place
    (
        b'{"event": "ats_jobs.updated", "event_data": {"job_status": {"value": 3}}}',
        [("status_value_type", ("ats_jobs", "event_data", "job_status", "value"))],
    ),
    # the same in `data`
    (
        b'{"event": "ats_jobs.updated", "data": {"job_status": {"value": 3}}}',
        [("status_value_type", ("ats_jobs", "data", "job_status", "value"))],
    ),
    # a raw event that JSON cannot carry
    (
        b'{"event": "ats_jobs.updated", "raw_event": {"x": NaN}}',
        [("finite_number", ("ats_jobs", "raw_event", "object", "x", "number"))],
    ),
]


@pytest.mark.parametrize(("body", "expected"), invalid_events)
def test_invalid_events(body: bytes, expected: list[tuple[str, tuple[str | int, ...]]]) -> None:
    with pytest.raises(ValidationError) as caught:
        WEBHOOK_EVENT_ADAPTER.validate_json(body)
    assert [(error["type"], error["loc"]) for error in caught.value.errors()] == expected


def test_record_ids_keep_their_kind() -> None:
    assert WEBHOOK_EVENT_ADAPTER.validate_json(b'{"record_id": 12}').record_id == 12
    assert WEBHOOK_EVENT_ADAPTER.validate_json(b'{"record_id": "12"}').record_id == "12"


def test_list_pages_locate_errors_at_their_record() -> None:
    page = JobsPage.model_validate_json(
        b'{"data": [{"id": "a", "status": "open"}, {"id": "b", "job_status": {"value": "Closed"}}],'
        b' "next": "cursor", "raw": [{"x": 1}]}'
    )
    assert [job.id for job in page.data] == ["a", "b"]
    assert page.data[1].job_status == JobStatus(value=JobStatusValue.CLOSED)
    assert (page.next, page.raw) == ("cursor", [{"x": 1}])
    with pytest.raises(ValidationError) as caught:
        JobPostingsPage.model_validate_json(b'{"data": [{}, {"status": {"value": 7}}]}')
    assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [
        ("status_value_type", ("data", 1, "status", "JobPostingStatus", "value")),
        ("string_type", ("data", 1, "status", "str")),
    ]


# --------------------------------------------------------------------------------------------------
# The upstream's scheme, against Node's crypto
# --------------------------------------------------------------------------------------------------

OLD, NEW = "old signing secret", "nouveau secret signé ✓"
BODIES = {
    "ascii": SAMPLE,
    "non-ascii": '{"event": "ats_jobs.updated", "event_data": {"title": "Développeur ✓ 日本"}}'.encode(),
    "crlf": b'{\r\n  "event": "ats_jobs.created",\r\n  "event_data": {"id": "j1"}\r\n}\r\n',
    "empty object": b"{}",
}


@pytest.fixture(scope="module")
def signed_by_node() -> dict[tuple[str, str], str]:
    requests = [(secret, body) for secret in (OLD, NEW) for body in BODIES.values()]
    signatures = node_signatures(requests)
    return {
        (secret, name): sig
        for (secret, name), sig in zip([(s, n) for s in (OLD, NEW) for n in BODIES], signatures, strict=True)
    }


@pytest.mark.parametrize("name", BODIES)
def test_a_signature_made_by_node_is_accepted(signed_by_node: dict[tuple[str, str], str], name: str) -> None:
    body = BODIES[name]
    signature = signed_by_node[NEW, name]
    assert "=" not in signature  # Node's base64url has no padding
    assert StackOneScheme(secrets=(NEW,)).verify(body, {"x-stackone-signature": signature}, {}) is None
    # and ours is the same text
    assert StackOneScheme(secrets=(NEW,)).sign_headers(body) == {"x-stackone-signature": signature}


def test_rotation_with_node_signatures(signed_by_node: dict[tuple[str, str], str]) -> None:
    body = BODIES["ascii"]
    rotating = StackOneScheme(secrets=(OLD, NEW))
    for secret in (OLD, NEW):
        assert rotating.verify(body, {"X-StackOne-Signature": signed_by_node[secret, "ascii"]}, {}) is None
    # after the old secret is removed, its signatures are refused
    with pytest.raises(WebhookVerificationError) as caught:
        StackOneScheme(secrets=(NEW,)).verify(body, {"x-stackone-signature": signed_by_node[OLD, "ascii"]}, {})
    assert caught.value.code == "signature_invalid"


def _stackone_refusal(body: bytes, headers: Mapping[str, str]) -> str:
    with pytest.raises(WebhookVerificationError) as caught:
        StackOneScheme(secrets=(NEW,)).verify(body, headers, {})
    assert caught.value.status_code == 401
    assert NEW not in caught.value.message
    return caught.value.code


def test_stackone_signature_forms(signed_by_node: dict[tuple[str, str], str]) -> None:
    body = BODIES["non-ascii"]
    signature = signed_by_node[NEW, "non-ascii"]
    digest = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    scheme = StackOneScheme(secrets=(NEW,))
    # padded base64url is the same signature
    assert scheme.verify(body, {"x-stackone-signature": signature + "="}, {}) is None
    # surrounding whitespace is not part of it
    assert scheme.verify(body, {"x-stackone-signature": f" {signature}\t"}, {}) is None
    # standard base64 of the same bytes is refused: the upstream sends base64url, and an alphabet
    # that is not its own means the sender is not the upstream
    standard = base64.b64encode(digest).decode()
    if standard.rstrip("=") != signature:  # differs only when + or / occur; this digest has them
        assert _stackone_refusal(body, {"x-stackone-signature": standard}) == "signature_malformed"
    cases = {
        "": "signature_missing",
        "   ": "signature_missing",
        "not a signature!": "signature_malformed",
        "a": "signature_malformed",  # no base64 text has length 1 mod 4
        signature[:-1]: "signature_invalid",
        signature.swapcase(): "signature_invalid",
        "sha256=" + signature: "signature_malformed",
        "日本": "signature_malformed",
    }
    for header, code in cases.items():
        assert _stackone_refusal(body, {"x-stackone-signature": header}) == code, header
    assert _stackone_refusal(body, {}) == "signature_missing"
    # a tampered body
    assert _stackone_refusal(body + b" ", {"x-stackone-signature": signature}) == "signature_invalid"


def test_the_node_fixture_signs_a_digest_with_plus_or_slash(signed_by_node: dict[tuple[str, str], str]) -> None:
    # the standard-base64 refusal above is only checked when the alphabets differ: make sure they do
    assert any(ch in sig for sig in signed_by_node.values() for ch in "-_")


# --------------------------------------------------------------------------------------------------
# The generic HMAC scheme and its presets
# --------------------------------------------------------------------------------------------------

BODY = b'{"event": "ats_jobs.created", "event_data": {}}'
KEY = b"s3cret"
DIGEST = hmac.new(KEY, BODY, hashlib.sha256).digest()
ENCODED = {
    "hex": DIGEST.hex(),
    "base64": base64.b64encode(DIGEST).decode(),
    "base64url": base64.urlsafe_b64encode(DIGEST).decode().rstrip("="),
}

hmac_cases: list[tuple[HmacSha256Scheme, Mapping[str, str], bytes, str | None]] = [
    # each encoding, any header case
    (HmacSha256Scheme(secrets=("s3cret",)), {"X-Signature": ENCODED["hex"]}, BODY, None),
    (HmacSha256Scheme(secrets=("s3cret",)), {"x-signature": ENCODED["hex"].upper()}, BODY, None),
    (HmacSha256Scheme(secrets=("s3cret",), encoding="base64"), {"x-signature": ENCODED["base64"]}, BODY, None),
    (
        HmacSha256Scheme(secrets=("s3cret",), encoding="base64"),
        {"x-signature": ENCODED["base64"].rstrip("=")},
        BODY,
        None,
    ),
    (HmacSha256Scheme(secrets=("s3cret",), encoding="base64url"), {"x-signature": ENCODED["base64url"]}, BODY, None),
    (
        HmacSha256Scheme(secrets=("s3cret",), encoding="base64url"),
        {"x-signature": ENCODED["base64url"] + "="},
        BODY,
        None,
    ),
    # a prefix, matched ignoring case, then required
    (HmacSha256Scheme(secrets=("s3cret",), prefix="sha256="), {"x-signature": "SHA256=" + ENCODED["hex"]}, BODY, None),
    (
        HmacSha256Scheme(secrets=("s3cret",), prefix="sha256="),
        {"x-signature": ENCODED["hex"]},
        BODY,
        "signature_malformed",
    ),
    # a custom header, bytes secrets, rotation
    (
        HmacSha256Scheme(secrets=(b"old", KEY), header="X-Hub-Signature-256"),
        {"x-hub-signature-256": ENCODED["hex"]},
        BODY,
        None,
    ),
    # refusals
    (HmacSha256Scheme(secrets=("s3cret",)), {}, BODY, "signature_missing"),
    (HmacSha256Scheme(secrets=("s3cret",)), {"x-signature": ENCODED["hex"]}, BODY + b" ", "signature_invalid"),
    (HmacSha256Scheme(secrets=("other",)), {"x-signature": ENCODED["hex"]}, BODY, "signature_invalid"),
    (HmacSha256Scheme(secrets=("s3cret",)), {"x-signature": "zz"}, BODY, "signature_malformed"),
    (HmacSha256Scheme(secrets=("s3cret",)), {"x-signature": "abc"}, BODY, "signature_malformed"),  # odd hex
    # another encoding than the configured one
    (HmacSha256Scheme(secrets=("s3cret",)), {"x-signature": ENCODED["base64"]}, BODY, "signature_malformed"),
    (HmacSha256Scheme(secrets=("s3cret",), encoding="base64"), {"x-signature": "***"}, BODY, "signature_malformed"),
]


@pytest.mark.parametrize(("scheme", "headers", "body", "code"), hmac_cases)
def test_hmac_sha256(scheme: HmacSha256Scheme, headers: Mapping[str, str], body: bytes, code: str | None) -> None:
    if code is None:
        assert scheme.verify(body, headers, {}) is None
        return
    with pytest.raises(WebhookVerificationError) as caught:
        scheme.verify(body, headers, {})
    assert caught.value.code == code
    assert ENCODED["hex"] not in str(caught.value)


@pytest.mark.parametrize(
    ("scheme", "header"),
    [
        # the recipes of docs/webhooks.md: each peer's scheme is one line
        (
            HmacSha256Scheme(secrets=("k",), header="X-Merge-Webhook-Signature", encoding="base64url"),
            "x-merge-webhook-signature",
        ),
        (HmacSha256Scheme(secrets=("k",), header="X-Kombo-Signature", encoding="base64url"), "x-kombo-signature"),
        (HmacSha256Scheme(secrets=("k",), header="X-Knit-Signature", encoding="base64url"), "x-knit-signature"),
        (StackOneScheme(secrets=("k",)), "x-stackone-signature"),
    ],
)
def test_presets_sign_as_node_does(scheme: HmacSha256Scheme, header: str) -> None:
    (expected,) = node_signatures([("k", BODY)])
    assert scheme.sign_headers(BODY) == {header: expected}
    assert scheme.verify(BODY, {header.title(): expected}, {}) is None
    assert [(p.name, p.location) for p in scheme_parameters(scheme)] == [(header, "header")]


# --------------------------------------------------------------------------------------------------
# Standard Webhooks and the query token
# --------------------------------------------------------------------------------------------------

STANDARD = StandardWebhooksScheme(secrets=(SECRET,))


def _standard(body: bytes = BODY, secret: str = SECRET, *, age: float = 0, msg_id: str = "msg_1") -> dict[str, str]:
    return StandardWebhooksScheme(secrets=(secret,)).sign_headers(body, msg_id=msg_id, timestamp=time.time() - age)


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
    # a malformed entry before the valid one is skipped, not fatal to it
    (STANDARD, lambda: _replace_signature(_standard(), f"v1 {_standard()['webhook-signature']}")),
    (STANDARD, lambda: _replace_signature(_standard(), f"v1,not-base64!  v2,abc {_standard()['webhook-signature']}")),
    # an entry of the right alphabet but not a whole digest is skipped too (standardwebhooks raises on it)
    (STANDARD, lambda: _replace_signature(_standard(), f"v1,A v1,AAAAA {_standard()['webhook-signature']}")),
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
    # nothing well-formed in the list
    (STANDARD, BODY, lambda: _replace_signature(_standard(), "v1"), "signature_malformed"),
    (STANDARD, BODY, lambda: _replace_signature(_standard(), "v1,*** v1,"), "signature_malformed"),
    (STANDARD, BODY, lambda: _replace_signature(_standard(), "v2" + _standard()["webhook-signature"][2:]),
     "signature_malformed"),
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


token_cases: list[tuple[Mapping[str, str], str | None]] = [
    ({"token": "s3cret"}, None),
    # rotation
    ({"token": "next"}, None),
    ({}, "token_missing"),
    ({"token": ""}, "token_missing"),
    ({"token": "s3cre"}, "token_invalid"),
    # non-ASCII: compare_digest on str would raise TypeError
    ({"token": "sécret"}, "token_invalid"),
    # a lone surrogate (possible from a plain dict) is refused, not a UnicodeEncodeError
    ({"token": "s3cret\ud800"}, "token_invalid"),
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


def test_surrogates_in_any_header_are_refused_not_raised() -> None:
    for scheme in (StackOneScheme(secrets=("k",)), HmacSha256Scheme(secrets=("k",), encoding="base64")):
        with pytest.raises(WebhookVerificationError):
            scheme.verify(BODY, {scheme.header: "abc\udcff"}, {})


@pytest.mark.parametrize(
    "make",
    [
        lambda: StandardWebhooksScheme(secrets=()),
        lambda: StandardWebhooksScheme(secrets=("",)),
        lambda: StandardWebhooksScheme(secrets=(SECRET,), tolerance_seconds=301),
        lambda: StandardWebhooksScheme(secrets=(SECRET,), tolerance_seconds=0),
        lambda: StandardWebhooksScheme(secrets=("not base64 !",)),
        lambda: HmacSha256Scheme(secrets=()),
        lambda: HmacSha256Scheme(secrets=("k",), encoding="base32"),  # type: ignore[arg-type]
        lambda: HmacSha256Scheme(secrets=("k",), header=""),
        lambda: StackOneScheme(secrets=("",)),
        lambda: QueryTokenScheme(secrets=("",)),
        lambda: WebhookConfig(QueryTokenScheme(secrets=("k",)), max_body_size=0),
        lambda: WebhookConfig(QueryTokenScheme(secrets=("k",)), body_timeout_seconds=float("nan")),
    ],
)
def test_bad_configuration_fails_early(make: Any) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each message is checked to be secret-free elsewhere
        make()


def test_a_scheme_needs_a_verify_method() -> None:
    with pytest.raises(TypeError, match="verify"):
        WebhookConfig("s3cret")  # type: ignore[arg-type]


def test_one_string_is_one_secret() -> None:
    assert QueryTokenScheme(secrets="abc").secrets == ("abc",)  # type: ignore[arg-type]
    assert StackOneScheme(secrets="abc").secrets == ("abc",)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------------

TOKEN = WebhookConfig(QueryTokenScheme(secrets=("s3cret",)))
GOOD = {"token": "s3cret"}


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
    headers = {} if content_type is None else {"content-type": content_type}
    if ok:
        IncomingWebhook(headers, GOOD, TOKEN)
        return
    with pytest.raises(UnsupportedContentTypeError) as caught:
        IncomingWebhook(headers, GOOD, TOKEN)
    assert caught.value.status_code == 415


@pytest.mark.parametrize(
    ("declared", "error"),
    [
        (None, None),
        ("10", None),
        (" 10 ", None),
        ("0010", None),
        ("11", PayloadTooLargeError),
        ("9" * 5000, PayloadTooLargeError),  # never read as a number of unbounded length
        ("0" * 5000 + "1", None),
        ("x", MalformedRequestError),
        ("", MalformedRequestError),
        ("-1", MalformedRequestError),
        ("1e3", MalformedRequestError),
        ("10, 10", MalformedRequestError),
        ("²", MalformedRequestError),  # str.isdigit() is true, int() refuses it
        ("\uff11\uff10", MalformedRequestError),  # full-width digits
    ],
)
def test_declared_length(declared: str | None, error: type[Exception] | None) -> None:
    headers = {**JSON} if declared is None else {**JSON, "content-length": declared}
    config = WebhookConfig(QueryTokenScheme(secrets=("s3cret",)), max_body_size=10)
    if error is None:
        IncomingWebhook(headers, GOOD, config)
        return
    with pytest.raises(error) as caught:
        IncomingWebhook(headers, GOOD, config)
    assert caught.value.status_code == (413 if error is PayloadTooLargeError else 400)  # type: ignore[attr-defined]


def test_feeding_stops_at_the_first_chunk_past_the_limit() -> None:
    incoming = IncomingWebhook(JSON, GOOD, WebhookConfig(QueryTokenScheme(secrets=("s3cret",)), max_body_size=2500))
    incoming.feed(b"x" * 1000)
    incoming.feed(b"")
    incoming.feed(b"x" * 1000)
    with pytest.raises(PayloadTooLargeError):
        incoming.feed(b"x" * 1000)
    assert incoming._parts == []  # nothing is held once refused


def test_receive_webhook_checks_in_order() -> None:
    config = WebhookConfig(QueryTokenScheme(secrets=("s3cret",)), max_body_size=len(SAMPLE))
    delivery = receive_webhook(SAMPLE, JSON, GOOD, config)
    assert isinstance(delivery.event, JobEvent)
    with pytest.raises(UnsupportedContentTypeError):
        receive_webhook(SAMPLE, {"content-type": "text/plain"}, {"token": "nope"}, config)
    with pytest.raises(PayloadTooLargeError):
        receive_webhook(SAMPLE + b" ", JSON, {"token": "nope"}, config)
    # an invalid body with a bad token is refused as unverified: it is never parsed
    with pytest.raises(WebhookVerificationError):
        receive_webhook(b"{not json", JSON, {"token": "nope"}, config)
    with pytest.raises(ValidationError):
        receive_webhook(b"{not json", JSON, GOOD, config)


def test_chunks_and_a_whole_body_give_the_same_delivery() -> None:
    scheme = StackOneScheme(secrets=(NEW,))
    headers = {**JSON, **scheme.sign_headers(SAMPLE)}
    config = WebhookConfig(scheme)
    incoming = IncomingWebhook(headers, {}, config)
    for start in range(0, len(SAMPLE), 7):
        incoming.feed(SAMPLE[start : start + 7])
    chunked = incoming.finish()
    whole = receive_webhook(SAMPLE, headers, {}, config)
    assert chunked.body == whole.body == SAMPLE  # the bytes as signed
    assert (chunked.event, chunked.idempotency_key, chunked.event_time) == (
        whole.event,
        whole.idempotency_key,
        whole.event_time,
    )


# --------------------------------------------------------------------------------------------------
# Identity and time
# --------------------------------------------------------------------------------------------------


def _key(body: dict[str, Any]) -> str:
    return idempotency_key(WEBHOOK_EVENT_ADAPTER.validate_json(json.dumps(body)))


CHANGE = {
    "event": "ats_jobs.updated",
    "event_date": "2025-01-01T00:00:00Z",
    "sent_at": "2025-01-01T00:00:01Z",
    "event_data": {"id": "j1", "job_status": {"value": "open"}},
}


@pytest.mark.parametrize(
    "redelivery",
    [
        # the same body
        CHANGE,
        # only sent_at changed (a retry), or gone
        {**CHANGE, "sent_at": "2025-01-01T01:00:00Z"},
        {key: value for key, value in CHANGE.items() if key != "sent_at"},
        # keys in another order
        dict(reversed(list(CHANGE.items()))),
    ],
)
def test_a_redelivery_keeps_its_key(redelivery: dict[str, Any]) -> None:
    assert _key(redelivery) == _key(CHANGE)


@pytest.mark.parametrize(
    "change",
    [
        # a later change with the same status (open -> on_hold -> open)
        {**CHANGE, "event_date": "2025-01-01T00:02:00Z"},
        # another status, another job, another event type, another unknown key
        {**CHANGE, "event_data": {"id": "j1", "job_status": {"value": "on_hold"}}},
        {**CHANGE, "event_data": {"id": "j2", "job_status": {"value": "open"}}},
        {**CHANGE, "event": "ats_jobs.deleted"},
        {**CHANGE, "attempt_note": "x"},
        # the same value with another raw source value
        {**CHANGE, "event_data": {"id": "j1", "job_status": {"value": "open", "source_value": "Open"}}},
    ],
)
def test_different_changes_have_different_keys(change: dict[str, Any]) -> None:
    assert _key(change) != _key(CHANGE)


def test_the_delivery_id_is_the_key_when_the_scheme_has_one() -> None:
    body = json.dumps(CHANGE).encode()
    signed = {**JSON, **STANDARD.sign_headers(body, msg_id="msg_1")}
    delivery = receive_webhook(body, signed, {}, WebhookConfig(STANDARD))
    assert (delivery.delivery_id, delivery.idempotency_key) == ("msg_1", "msg_1")
    token = receive_webhook(body, JSON, GOOD, TOKEN)
    assert (token.delivery_id, token.idempotency_key) == (None, _key(CHANGE))


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        ({"event_date": "2025-01-01T00:00:00Z", "sent_at": "2025-01-02T00:00:00Z"}, datetime(2025, 1, 1, tzinfo=UTC)),
        ({"sent_at": "2025-01-02T00:00:00Z"}, datetime(2025, 1, 2, tzinfo=UTC)),
        ({}, None),  # the time of receipt
    ],
)
def test_event_time(times: dict[str, str], expected: datetime | None) -> None:
    before = datetime.now(UTC)
    delivery = receive_webhook(json.dumps({"event": "ats_jobs.updated", **times}).encode(), JSON, GOOD, TOKEN)
    assert before <= delivery.received_at <= datetime.now(UTC)
    assert delivery.event_time == (delivery.received_at if expected is None else expected)


odd_requests: list[tuple[str, Any, Any]] = [
    # values a plain dict can hold and HTTP cannot: refused as what they are not, never raised
    ("length as a number", {**JSON, "content-length": 10}, GOOD),
    ("content type as bytes", {"content-type": b"application/json"}, GOOD),
    ("a key that is not text", {1: "x", **JSON}, GOOD),
    ("token as a list", JSON, {"token": ["s3cret"]}),
    ("signature as a number", {**JSON, "x-stackone-signature": 7}, GOOD),
    ("timestamp as a list", {**JSON, "webhook-id": "m", "webhook-timestamp": [1], "webhook-signature": "v1,x"}, GOOD),
]


@pytest.mark.parametrize(("case", "headers", "query"), odd_requests, ids=[c for c, _, _ in odd_requests])
def test_odd_mappings_are_refused_not_raised(case: str, headers: Any, query: Any) -> None:
    body = b'{"event": "account.created"}'
    for scheme in (QueryTokenScheme(secrets=("s3cret",)), StackOneScheme(secrets=("s3cret",)), STANDARD):
        try:
            receive_webhook(body, headers, query, WebhookConfig(scheme))
        except WebhookError:
            continue
