"""Inbound job webhooks: verify the raw bytes, then validate them into typed events.

No web framework lives here: plain bytes, a headers mapping and a query mapping go in, a
`WebhookDelivery` or a `WebhookError` comes out. `jobstatus.fastapi` wraps this for FastAPI.

The order of the checks is fixed, so a body is never parsed before it is trusted:

1. content type (`UnsupportedContentTypeError`), then declared and actual size (`PayloadTooLargeError`);
2. the signature scheme (`WebhookVerificationError`);
3. only then `WEBHOOK_EVENT_ADAPTER.validate_json` (`pydantic.ValidationError`).

```python
from jobstatus import JobStatusValue
from jobstatus.webhooks import JobEvent, QueryTokenScheme, WebhookConfig, receive_webhook

config = WebhookConfig(QueryTokenScheme(secrets=("s3cret",)))
body = b'{"event": "ats_jobs.updated", "data": {"id": "c28xIQ", "job_status": {"value": "On Hold"}}}'
delivery = receive_webhook(body, {"content-type": "application/json"}, {"token": "s3cret"}, config)
assert isinstance(delivery.event, JobEvent)
assert delivery.event.data.job_status is not None
assert delivery.event.data.job_status.value is JobStatusValue.ON_HOLD
```

The upstream envelope is not public; every assumption about its field names is in
`ENVELOPE_ALIASES` and `event_family` (see docs/webhooks.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import AsyncIterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Literal, Union

from pydantic import AliasChoices, BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter
from pydantic.config import JsonDict

from ._models import JobPostingStatus, JobStatus
from ._source_value import SourceValue

try:
    import standardwebhooks
    from standardwebhooks.webhooks import EmptyWebhookSecretError
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "jobstatus.webhooks needs the standardwebhooks package: pip install 'jobstatus[webhooks]'"
    ) from error

__all__ = (
    "DEFAULT_BODY_TIMEOUT_SECONDS",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_TOLERANCE_SECONDS",
    "ENVELOPE_ALIASES",
    "WEBHOOK_EVENT_ADAPTER",
    "BodyTimeoutError",
    "HmacSha256Scheme",
    "Job",
    "JobEvent",
    "JobPosting",
    "JobPostingEvent",
    "OtherEvent",
    "PayloadTooLargeError",
    "QueryTokenScheme",
    "StandardWebhooksScheme",
    "UnsupportedContentTypeError",
    "VerifiedBody",
    "WebhookConfig",
    "WebhookDelivery",
    "WebhookEnvelope",
    "WebhookError",
    "WebhookEvent",
    "WebhookEventType",
    "WebhookScheme",
    "WebhookVerificationError",
    "check_content_length",
    "check_content_type",
    "delivery_from",
    "event_family",
    "read_limited",
    "receive_webhook",
    "verify_webhook",
)

DEFAULT_MAX_BODY_SIZE: Final = 1024 * 1024
"""The default body limit, 1 MiB: job payloads are a few kilobytes."""

DEFAULT_BODY_TIMEOUT_SECONDS: Final = 10.0
"""How long a framework integration waits for the whole body, in seconds: a sender that trickles its
body (or stops sending) is answered 408 instead of holding the connection open."""

DEFAULT_TOLERANCE_SECONDS: Final = 300
"""How far a signed timestamp may be from now, in seconds (the Standard Webhooks recommendation)."""

# --------------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------------

ENVELOPE_ALIASES: Final[Mapping[str, tuple[str, ...]]] = {
    "event": ("event", "type", "event_type"),
    "id": ("id", "event_id"),
    "created_at": ("created_at", "timestamp", "occurred_at"),
    "account_id": ("account_id",),
    "data": ("data",),
}
"""The one home of the envelope assumptions: each field and the body keys read for it, first wins.

Only `event` and `data` are confirmed by the brief's sample body; the others are guesses kept
optional, so a body without them is still accepted. Change a tuple here to follow the upstream API.
"""


def _envelope_field(name: str, **kwargs: Any) -> Any:
    return Field(validation_alias=AliasChoices(*ENVELOPE_ALIASES[name]), **kwargs)


class WebhookEventType(StrEnum):
    """The documented event types; any other string is kept as it is (see `WebhookEnvelope.event`).

    ```python
    from jobstatus.webhooks import WebhookEventType

    assert WebhookEventType("ats_jobs.updated") is WebhookEventType.ATS_JOBS_UPDATED
    ```
    """

    ATS_JOBS_CREATED = "ats_jobs.created"
    ATS_JOBS_UPDATED = "ats_jobs.updated"
    ATS_JOBS_DELETED = "ats_jobs.deleted"
    ATS_JOB_POSTINGS_CREATED = "ats_job_postings.created"
    ATS_JOB_POSTINGS_UPDATED = "ats_job_postings.updated"
    ATS_JOB_POSTINGS_DELETED = "ats_job_postings.deleted"
    ACCOUNT_CREATED = "account.created"
    ACCOUNT_UPDATED = "account.updated"
    ACCOUNT_DELETED = "account.deleted"


# The known member first, tried in pydantic-core; any other string is kept rather than rejected,
# because upstream adds event types without notice.
EventTypeName = Annotated[Union[WebhookEventType, str], Field(union_mode="left_to_right")]

_DEPRECATED: Final[JsonDict] = {"deprecated": True}


class _OpenObject(BaseModel):
    """An immutable object that keeps every key it does not type (`extra='allow'`).

    Kept values are validated as `SourceValue`, not as `Any`: pydantic's JSON parser reads `NaN`,
    `Infinity` and `1e400`, which are not JSON, and as `Any` they were accepted and then stored as
    `null`. As a `SourceValue` they are refused (`finite_number`), so what is accepted is dumped back
    unchanged, within `MAX_SOURCE_VALUE_DEPTH`. `OtherEvent.data` is kept the same way.
    """

    model_config = ConfigDict(frozen=True, extra="allow")
    __pydantic_extra__: dict[str, SourceValue] = Field(init=False)


class _Record(_OpenObject):
    """The identifiers every upstream record carries."""

    id: str | None = None
    remote_id: str | None = None
    title: str | None = None


class Job(_Record):
    """The part of a job that this package types; every other field is kept (`extra='allow'`).

    ```python
    from jobstatus import JobStatusValue
    from jobstatus.webhooks import Job

    job = Job.model_validate({"id": "c28xIQ", "job_status": {"value": "On Hold"}, "hiring_team": []})
    assert job.job_status is not None and job.job_status.value is JobStatusValue.ON_HOLD
    assert job.model_extra == {"hiring_team": []}
    ```
    """

    job_status: JobStatus | None = None
    status: str | None = Field(default=None, json_schema_extra=_DEPRECATED)
    """Deprecated upstream in favour of `job_status`; kept because older payloads still carry it."""


class JobPosting(_Record):
    """The part of a job posting that this package types; every other field is kept.

    Assumption: a posting's `status` is the `{value, source_value}` object; a plain string (older
    payloads) is kept as a `str`.

    ```python
    from jobstatus import JobPostingStatus, JobPostingStatusValue
    from jobstatus.webhooks import JobPosting

    posting = JobPosting.model_validate({"id": "p1", "status": {"value": "LIVE", "source_value": "Live"}})
    assert isinstance(posting.status, JobPostingStatus) and posting.status.value is JobPostingStatusValue.LIVE
    assert JobPosting.model_validate({"status": "live"}).status == "live"
    ```
    """

    job_id: str | None = None
    status: Annotated[Union[JobPostingStatus, str, None], Field(union_mode="left_to_right")] = None


class WebhookEnvelope(_OpenObject):
    """The fields every event shares; unknown envelope keys are kept (`extra='allow'`)."""

    model_config = ConfigDict(populate_by_name=True)

    event: EventTypeName = _envelope_field("event")
    id: str | None = _envelope_field("id", default=None)
    created_at: datetime | None = _envelope_field("created_at", default=None)
    account_id: str | None = _envelope_field("account_id", default=None)


class JobEvent(WebhookEnvelope):
    """An `ats_jobs.*` event: `data` is a `Job`.

    ```python
    from jobstatus.webhooks import WEBHOOK_EVENT_ADAPTER, JobEvent, WebhookEventType

    event = WEBHOOK_EVENT_ADAPTER.validate_json('{"event": "ats_jobs.deleted", "data": {"id": "j1"}}')
    assert isinstance(event, JobEvent) and event.event is WebhookEventType.ATS_JOBS_DELETED
    ```
    """

    data: Job = _envelope_field("data")


class JobPostingEvent(WebhookEnvelope):
    """An `ats_job_postings.*` event: `data` is a `JobPosting`."""

    data: JobPosting = _envelope_field("data")


class OtherEvent(WebhookEnvelope):
    """Any other event (`account.*`, or a type not known yet): `data` is kept as plain JSON.

    ```python
    from jobstatus.webhooks import WEBHOOK_EVENT_ADAPTER, OtherEvent

    event = WEBHOOK_EVENT_ADAPTER.validate_python({"event": "ats_candidates.created", "data": {"x": 1}})
    assert isinstance(event, OtherEvent) and event.event == "ats_candidates.created"
    ```
    """

    data: SourceValue = _envelope_field("data", default=None)  # kept as the extras are (see `_OpenObject`)


EventFamily = Literal["ats_jobs", "ats_job_postings", "other"]


def event_family(value: Any) -> EventFamily | None:
    """Pick the event model for a body (a dict) or an event (a model): the discriminator of `WebhookEvent`.

    The family is the event type's prefix, so a new job event type (`ats_jobs.archived`) still gets
    a typed `Job`. Anything but an object is `None`, which pydantic reports as `webhook_envelope_type`.

    ```python
    from jobstatus.webhooks import event_family

    assert event_family({"event": "ats_jobs.created"}) == "ats_jobs"
    assert event_family({"type": "ats_job_postings.updated"}) == "ats_job_postings"
    assert event_family({"event": "account.created"}) == "other"
    assert event_family([1, 2]) is None
    ```
    """
    if isinstance(value, WebhookEnvelope):
        event: Any = value.event
    elif isinstance(value, dict):
        event = next((value[key] for key in ENVELOPE_ALIASES["event"] if key in value), None)
    else:
        return None
    if isinstance(event, str):
        prefix = event.partition(".")[0]
        if prefix == "ats_jobs":
            return "ats_jobs"
        if prefix == "ats_job_postings":
            return "ats_job_postings"
    return "other"


WebhookEvent = Annotated[
    Union[
        Annotated[JobEvent, Tag("ats_jobs")],
        Annotated[JobPostingEvent, Tag("ats_job_postings")],
        Annotated[OtherEvent, Tag("other")],
    ],
    Discriminator(
        event_family,
        custom_error_type="webhook_envelope_type",
        custom_error_message="Input should be a webhook event object",
    ),
]
"""A webhook body: a `JobEvent`, `JobPostingEvent` or `OtherEvent`, picked by `event_family`.

As in every pydantic tagged union, an error `loc` names the family first:
`("ats_jobs", "data", "job_status", "value")`.
"""

WEBHOOK_EVENT_ADAPTER: TypeAdapter[JobEvent | JobPostingEvent | OtherEvent] = TypeAdapter(WebhookEvent)
"""Built once: validate raw bytes with `WEBHOOK_EVENT_ADAPTER.validate_json(body)`."""

# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


class WebhookError(Exception):
    """Base of the refusals; `code` is a stable string to match on, the message is safe to show.

    No message ever contains a secret, an expected signature or the body.
    """

    status_code: int = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class WebhookVerificationError(WebhookError):
    """The body is not proven to come from the sender: missing, malformed, wrong or stale signature."""

    status_code = 401


class PayloadTooLargeError(WebhookError):
    """The body (declared or read) is larger than `WebhookConfig.max_body_size`."""

    status_code = 413


class BodyTimeoutError(WebhookError):
    """The body did not arrive within `WebhookConfig.body_timeout_seconds`."""

    status_code = 408


class UnsupportedContentTypeError(WebhookError):
    """The content type is not JSON (`application/json` or `application/*+json`)."""

    status_code = 415


# --------------------------------------------------------------------------------------------------
# Schemes
# --------------------------------------------------------------------------------------------------


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Read a header whatever the mapping's key case (`name` is lower case)."""
    value = headers.get(name)
    if value is not None:
        return value
    # Only plain dicts get here with a miss; Starlette's Headers are already case-insensitive.
    for key, candidate in headers.items():
        if key.lower() == name:
            return candidate
    return None


def _require_secrets(scheme: object, secrets: Any) -> None:
    """Store `secrets` as a tuple: one string counts as one secret, not as its characters."""
    if isinstance(secrets, (str, bytes)):
        secrets = (secrets,)
    secrets = tuple(secrets)
    if not secrets or any(not secret for secret in secrets):
        raise ValueError("at least one non-empty secret is required")
    object.__setattr__(scheme, "secrets", secrets)


@dataclass(frozen=True)
class StandardWebhooksScheme:
    """The Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`, `webhook-signature` headers),
    verified by the `standardwebhooks` package.

    Args:
        secrets: the active signing secrets (`whsec_...` base64); several while rotating.
        tolerance_seconds: how far `webhook-timestamp` may be from now; at most 300, because
            `standardwebhooks` 1.1 refuses anything outside 5 minutes itself.

    ```python
    from jobstatus.webhooks import StandardWebhooksScheme

    scheme = StandardWebhooksScheme(secrets=("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",))
    headers = scheme.sign_headers(b'{"event": "ats_jobs.created"}', msg_id="msg_1")
    assert scheme.verify(b'{"event": "ats_jobs.created"}', headers, {}) == "msg_1"
    ```
    """

    secrets: tuple[str, ...]
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS
    _webhooks: tuple[standardwebhooks.Webhook, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _require_secrets(self, self.secrets)
        if not 0 < self.tolerance_seconds <= DEFAULT_TOLERANCE_SECONDS:
            raise ValueError("tolerance_seconds must be in (0, 300]: standardwebhooks refuses older messages itself")
        try:
            webhooks = tuple(standardwebhooks.Webhook(secret) for secret in self.secrets)
        except (ValueError, EmptyWebhookSecretError):
            # The message is generic on purpose: the secret is never echoed, not even in logs.
            raise ValueError("a Standard Webhooks secret must be base64, optionally prefixed 'whsec_'") from None
        object.__setattr__(self, "_webhooks", webhooks)

    def verify(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> str:
        """Verify `body`; return the delivery id (`webhook-id`) or raise `WebhookVerificationError`."""
        msg_id = _header(headers, "webhook-id")
        timestamp = _header(headers, "webhook-timestamp")
        signature = _header(headers, "webhook-signature")
        if not (msg_id and timestamp and signature):
            raise WebhookVerificationError("signature_missing", "Missing webhook-id, webhook-timestamp or signature")
        try:
            sent_at = float(timestamp)
        except ValueError:
            sent_at = float("nan")
        # Our own check first, for the configured tolerance and a message that says what is wrong;
        # `not <=` also refuses NaN.
        if not abs(time.time() - sent_at) <= self.tolerance_seconds:
            raise WebhookVerificationError("timestamp_outside_tolerance", "webhook-timestamp is outside the tolerance")
        wanted = {"webhook-id": msg_id, "webhook-timestamp": timestamp, "webhook-signature": signature}
        for webhook in self._webhooks:
            try:
                webhook.verify(body, wanted, json_parse=False)
            # standardwebhooks 1.1 lets ValueError escape on a non-UTF-8 body, a signature without
            # a comma or bad base64 (binascii.Error and UnicodeDecodeError are ValueErrors).
            except (standardwebhooks.WebhookVerificationError, ValueError):
                continue
            return msg_id
        raise WebhookVerificationError("signature_invalid", "No matching signature")

    def sign_headers(self, body: bytes, *, msg_id: str, timestamp: float | None = None) -> dict[str, str]:
        """The headers a sender would add, signed with the first secret (for tests and examples)."""
        sent_at = datetime.fromtimestamp(int(time.time() if timestamp is None else timestamp), tz=UTC)
        signature = self._webhooks[0].sign(msg_id, sent_at, body.decode())
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": signature,
        }


@dataclass(frozen=True)
class HmacSha256Scheme:
    """HMAC-SHA256 of the raw body, sent in one header as hex or base64, with an optional `sha256=` prefix.

    This scheme carries no signed timestamp, so it cannot refuse replays: deduplicate on
    `WebhookDelivery.idempotency_key`.

    Args:
        secrets: the active secrets (UTF-8 text or bytes); several while rotating.
        header: the header that carries the signature (any case).
        encoding: `"hex"` or `"base64"`.

    ```python
    from jobstatus.webhooks import HmacSha256Scheme

    scheme = HmacSha256Scheme(secrets=("s3cret",), header="X-Signature", encoding="base64")
    headers = scheme.sign_headers(b"{}")
    assert scheme.verify(b"{}", headers, {}) is None
    ```
    """

    secrets: tuple[str | bytes, ...]
    header: str = "x-signature"
    encoding: Literal["hex", "base64"] = "hex"
    _keys: tuple[bytes, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _require_secrets(self, self.secrets)
        if self.encoding not in ("hex", "base64"):
            raise ValueError("encoding must be 'hex' or 'base64'")
        keys = tuple(secret.encode() if isinstance(secret, str) else secret for secret in self.secrets)
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(self, "header", self.header.lower())

    def _decode(self, text: str) -> bytes | None:
        if text[:7].lower() == "sha256=":
            text = text[7:]
        try:
            return bytes.fromhex(text) if self.encoding == "hex" else base64.b64decode(text, validate=True)
        except (ValueError, binascii.Error):
            return None

    def verify(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> None:
        """Verify `body`; return `None` (no delivery id in this scheme) or raise `WebhookVerificationError`."""
        sent = _header(headers, self.header)
        if not sent:
            raise WebhookVerificationError("signature_missing", f"Missing {self.header} header")
        signature = self._decode(sent.strip())
        if signature is None:
            raise WebhookVerificationError("signature_malformed", f"The {self.header} header is not {self.encoding}")
        for key in self._keys:
            if hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest(), signature):
                return
        raise WebhookVerificationError("signature_invalid", "No matching signature")

    def sign_headers(self, body: bytes) -> dict[str, str]:
        """The header a sender would add, signed with the first secret (for tests and examples)."""
        digest = hmac.new(self._keys[0], body, hashlib.sha256).digest()
        text = digest.hex() if self.encoding == "hex" else base64.b64encode(digest).decode()
        return {self.header: f"sha256={text}"}


@dataclass(frozen=True)
class QueryTokenScheme:
    """A shared secret in the query string (`?token=...`): the weaker alternative upstream documents.

    It proves only that the sender knows the URL, not that the body is intact, and cannot refuse replays.

    ```python
    from jobstatus.webhooks import QueryTokenScheme

    assert QueryTokenScheme(secrets=("old", "new")).verify(b"{}", {}, {"token": "new"}) is None
    ```
    """

    secrets: tuple[str, ...]
    parameter: str = "token"
    _keys: tuple[bytes, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _require_secrets(self, self.secrets)
        object.__setattr__(self, "_keys", tuple(secret.encode() for secret in self.secrets))

    def verify(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> None:
        """Check the token; return `None` or raise `WebhookVerificationError`."""
        sent = query.get(self.parameter)
        if not sent:
            raise WebhookVerificationError("token_missing", f"Missing ?{self.parameter}= parameter")
        # Bytes, because compare_digest refuses non-ASCII str instead of answering False.
        token = sent.encode()
        if any(hmac.compare_digest(token, key) for key in self._keys):
            return
        raise WebhookVerificationError("token_invalid", f"Wrong ?{self.parameter}= parameter")


WebhookScheme = Union[StandardWebhooksScheme, HmacSha256Scheme, QueryTokenScheme]
"""The three verification schemes; `WebhookConfig.scheme` takes one."""


@dataclass(frozen=True)
class WebhookConfig:
    """How to receive webhooks: the verification scheme and the limits.

    Args:
        scheme: one of `StandardWebhooksScheme`, `HmacSha256Scheme`, `QueryTokenScheme`.
        max_body_size: the largest accepted body in bytes (default 1 MiB).
        body_timeout_seconds: how long the framework integration (`jobstatus.fastapi`) waits for the
            whole body (default 10 s); a slower body is refused with `BodyTimeoutError` (408).

    ```python
    from jobstatus.webhooks import QueryTokenScheme, WebhookConfig

    config = WebhookConfig(QueryTokenScheme(secrets=("s3cret",)), max_body_size=64 * 1024)
    assert config.max_body_size == 65536
    ```
    """

    scheme: WebhookScheme
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    body_timeout_seconds: float = DEFAULT_BODY_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if self.max_body_size <= 0:
            raise ValueError("max_body_size must be positive")
        if not self.body_timeout_seconds > 0:  # `not >` also refuses NaN
            raise ValueError("body_timeout_seconds must be positive")


# --------------------------------------------------------------------------------------------------
# Receiving
# --------------------------------------------------------------------------------------------------


def check_content_type(content_type: str | None) -> None:
    """Refuse anything but `application/json` or `application/*+json` (parameters such as charset ignored).

    ```python
    import pytest
    from jobstatus.webhooks import UnsupportedContentTypeError, check_content_type

    check_content_type("application/json; charset=utf-8")
    with pytest.raises(UnsupportedContentTypeError):
        check_content_type("text/plain")
    ```
    """
    media_type = (content_type or "").partition(";")[0].strip().lower()
    kind, _, subtype = media_type.partition("/")
    if kind != "application" or not (subtype == "json" or subtype.endswith("+json")):
        raise UnsupportedContentTypeError("content_type_unsupported", "Content type must be application/json")


def check_content_length(content_length: str | None, max_body_size: int) -> None:
    """Refuse early a body whose declared `Content-Length` is over the limit (before reading it)."""
    if content_length is not None and content_length.strip().isdigit() and int(content_length) > max_body_size:
        raise PayloadTooLargeError("body_too_large", f"Body is larger than {max_body_size} bytes")


async def read_limited(chunks: AsyncIterable[bytes], max_body_size: int) -> bytes:
    """Read a streamed body, stopping as soon as it passes `max_body_size`: a huge body is never held.

    ```python
    import asyncio
    import pytest
    from jobstatus.webhooks import PayloadTooLargeError, read_limited

    async def stream(*parts: bytes):
        for part in parts:
            yield part

    assert asyncio.run(read_limited(stream(b"ab", b"cd"), 4)) == b"abcd"
    with pytest.raises(PayloadTooLargeError):
        asyncio.run(read_limited(stream(b"ab", b"cd", b"e"), 4))
    ```
    """
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_body_size:
            raise PayloadTooLargeError("body_too_large", f"Body is larger than {max_body_size} bytes")
        parts.append(chunk)
    return b"".join(parts)


@dataclass(frozen=True)
class VerifiedBody:
    """Raw bytes that passed verification, and the scheme's delivery id when it has one."""

    body: bytes
    delivery_id: str | None


def verify_webhook(
    body: bytes, headers: Mapping[str, str], query: Mapping[str, str], config: WebhookConfig
) -> VerifiedBody:
    """Check size and signature of a body that is already read; parse nothing.

    Raises:
        PayloadTooLargeError: the body is over `config.max_body_size`.
        WebhookVerificationError: the scheme refuses it.
    """
    if len(body) > config.max_body_size:
        raise PayloadTooLargeError("body_too_large", f"Body is larger than {config.max_body_size} bytes")
    return VerifiedBody(body, config.scheme.verify(body, headers, query))


@dataclass(frozen=True)
class WebhookDelivery:
    """A verified, validated delivery.

    Attributes:
        event: the typed event (`JobEvent`, `JobPostingEvent` or `OtherEvent`).
        delivery_id: the scheme's delivery id (`webhook-id`), when it has one.
        idempotency_key: `delivery_id`, else the envelope's `id`, else `sha256:<hex of the body>`;
            store events under it so that a retried delivery is stored once.
    """

    event: JobEvent | JobPostingEvent | OtherEvent
    delivery_id: str | None
    idempotency_key: str


def delivery_from(verified: VerifiedBody) -> WebhookDelivery:
    """Validate verified bytes into a `WebhookDelivery` (raises `pydantic.ValidationError`)."""
    event = WEBHOOK_EVENT_ADAPTER.validate_json(verified.body)
    key = verified.delivery_id or event.id or "sha256:" + hashlib.sha256(verified.body).hexdigest()
    return WebhookDelivery(event, verified.delivery_id, key)


def receive_webhook(
    body: bytes, headers: Mapping[str, str], query: Mapping[str, str], config: WebhookConfig
) -> WebhookDelivery:
    """Run every check on a body that is already read, then validate it: the framework-free entry point.

    Raises:
        UnsupportedContentTypeError: not JSON.
        PayloadTooLargeError: over the limit.
        WebhookVerificationError: not verified (the body was not parsed).
        pydantic.ValidationError: verified but not a valid event.
    """
    check_content_type(_header(headers, "content-type"))
    return delivery_from(verify_webhook(body, headers, query, config))
