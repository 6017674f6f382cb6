"""Receiving: one pipeline from request bytes to a `WebhookDelivery`, whatever the framework.

`IncomingWebhook` is that pipeline, written without I/O (as h11 is): the request's headers and
query go in when it is made, the body's chunks through `feed`, and `finish` gives the delivery.
`receive_webhook` feeds it a body already read; `jobstatus.fastapi` feeds it the chunks as they
arrive. Both therefore run the same checks in the same order, and a body is never parsed before it
is trusted:

1. content type (415), then the declared `Content-Length` (400 when malformed, 413 when over the limit);
2. every chunk: the size so far within the limit (413), so no more than the limit is ever held;
3. the scheme verifies the raw bytes (401);
4. only then the bytes are validated as an event, by `validate_webhook_event` (`pydantic.ValidationError`, 422).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from ._errors import MalformedRequestError, PayloadTooLargeError, UnsupportedContentTypeError
from ._events import JobEvent, JobPostingEvent, OtherEvent, validate_webhook_event
from ._schemes import WebhookScheme, header_value

__all__ = (
    "DEFAULT_BODY_TIMEOUT_SECONDS",
    "DEFAULT_MAX_BODY_SIZE",
    "IncomingWebhook",
    "WebhookConfig",
    "WebhookDelivery",
    "idempotency_key",
    "receive_webhook",
)

DEFAULT_MAX_BODY_SIZE: Final = 1024 * 1024
"""The default body limit, 1 MiB: job payloads are a few kilobytes."""

DEFAULT_BODY_TIMEOUT_SECONDS: Final = 10.0
"""How long a framework integration waits for the whole body, in seconds: a sender that trickles its
body (or stops sending) is answered 408 instead of holding the connection open."""


@dataclass(frozen=True)
class WebhookConfig:
    """How to receive webhooks: the verification scheme and the limits.

    Args:
        scheme: a `WebhookScheme`: `StackOneScheme` for the upstream, or any other.
        max_body_size: the largest accepted body in bytes (default 1 MiB).
        body_timeout_seconds: how long the framework integration (`jobstatus.fastapi`) waits for the
            whole body (default 10 s); a slower body is refused with `BodyTimeoutError` (408).

    ```python
    from jobstatus.webhooks import StackOneScheme, WebhookConfig

    config = WebhookConfig(StackOneScheme(secrets=("s3cret",)), max_body_size=64 * 1024)
    assert config.max_body_size == 65536
    ```
    """

    scheme: WebhookScheme
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    body_timeout_seconds: float = DEFAULT_BODY_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if not callable(getattr(self.scheme, "verify", None)):
            raise TypeError("scheme must have a verify(body, headers, query) method (see WebhookScheme)")
        if self.max_body_size <= 0:
            raise ValueError("max_body_size must be positive")
        if not self.body_timeout_seconds > 0:  # `not >` also refuses NaN
            raise ValueError("body_timeout_seconds must be positive")


@dataclass(frozen=True)
class WebhookDelivery:
    """A verified, validated delivery.

    Attributes:
        event: the typed event (`JobEvent`, `JobPostingEvent` or `OtherEvent`).
        delivery_id: the scheme's delivery id (`webhook-id`), when it has one.
        idempotency_key: store events under it, so that a redelivery is stored once (see
            `idempotency_key`).
        event_time: when the change happened: `event_date`, else `sent_at`, else `received_at`;
            order changes by it, not by arrival.
        received_at: when this process began receiving the request (UTC).
        body: the raw bytes exactly as signed and verified, for a log that keeps what was sent.
    """

    event: JobEvent | JobPostingEvent | OtherEvent
    delivery_id: str | None
    idempotency_key: str
    event_time: datetime
    received_at: datetime
    body: bytes = field(default=b"", repr=False)


def idempotency_key(event: JobEvent | JobPostingEvent | OtherEvent, delivery_id: str | None = None) -> str:
    """The key a delivery is stored under: the scheme's delivery id when it has one, else a digest.

    The digest is SHA-256 of the event as validated, without `sent_at`, with keys sorted at every
    level: a redelivery of the same event (the same body, or only `sent_at` changed, or keys in
    another order) gets the same key, and events that differ in anything else (a status, an
    `event_date`) get different keys. The upstream signs no delivery id, so two changes sent with
    identical bodies and no `event_date` cannot be told from one redelivery: they share a key.

    ```python
    from jobstatus.webhooks import WEBHOOK_EVENT_ADAPTER, idempotency_key

    first = WEBHOOK_EVENT_ADAPTER.validate_json('{"event": "ats_jobs.updated", "sent_at": "2025-01-01T00:00:00Z"}')
    again = WEBHOOK_EVENT_ADAPTER.validate_json('{"sent_at": "2025-01-01T00:05:00Z", "event": "ats_jobs.updated"}')
    assert idempotency_key(first) == idempotency_key(again) != idempotency_key(first, "msg_1") == "msg_1"
    ```
    """
    if delivery_id:
        return delivery_id
    data = event.model_dump(mode="json", exclude={"sent_at"}, exclude_unset=True)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


_DIGITS = re.compile(r"[0-9]+")
# Past this many digits a declared length is over any limit, whatever its value: int() is never
# asked to read a number of unbounded length.
_MAX_LENGTH_DIGITS = 18


def _check_content_type(content_type: str | None) -> None:
    media_type = (content_type or "").partition(";")[0].strip().lower()
    kind, _, subtype = media_type.partition("/")
    if kind != "application" or not (subtype == "json" or subtype.endswith("+json")):
        raise UnsupportedContentTypeError("content_type_unsupported", "Content type must be application/json")


def _declared_length(content_length: str | None) -> int | None:
    """The declared `Content-Length` as a number, refusing anything but ASCII digits."""
    if content_length is None:
        return None
    text = content_length.strip()
    if not _DIGITS.fullmatch(text):  # not str.isdigit(): that takes "²", which int() refuses
        raise MalformedRequestError("content_length_invalid", "Content-Length must be a decimal number")
    text = text.lstrip("0") or "0"
    return int(text) if len(text) <= _MAX_LENGTH_DIGITS else 10**_MAX_LENGTH_DIGITS


class IncomingWebhook:
    """One request being received: checked as its headers and each chunk arrive, verified and
    validated at the end. The framework-free pipeline behind `receive_webhook` and `jobstatus.fastapi`.

    Raises (from the constructor, `feed` and `finish`, in the order of the checks):
        UnsupportedContentTypeError: not JSON (415).
        MalformedRequestError: a `Content-Length` that is not a number (400).
        PayloadTooLargeError: declared or fed size over `config.max_body_size` (413).
        WebhookVerificationError: the scheme refuses the body (401); it was not parsed.
        pydantic.ValidationError: verified but not a valid event (422).

    ```python
    from jobstatus.webhooks import IncomingWebhook, StackOneScheme, WebhookConfig

    scheme = StackOneScheme(secrets=("s3cret",))
    body = b'{"event": "ats_jobs.created", "event_data": {"id": "j1"}}'
    headers = {"content-type": "application/json", **scheme.sign_headers(body)}
    incoming = IncomingWebhook(headers, {}, WebhookConfig(scheme))
    for chunk in (body[:10], body[10:]):
        incoming.feed(chunk)
    assert incoming.finish().event.record.id == "j1"
    ```
    """

    def __init__(
        self,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        config: WebhookConfig,
        *,
        received_at: datetime | None = None,
    ) -> None:
        self.headers = headers
        self.query = query
        self.config = config
        self.received_at = datetime.now(UTC) if received_at is None else received_at
        self._parts: list[bytes] = []
        self._size = 0
        _check_content_type(header_value(headers, "content-type"))
        declared = _declared_length(header_value(headers, "content-length"))
        if declared is not None and declared > config.max_body_size:
            raise self._too_large()

    def _too_large(self) -> PayloadTooLargeError:
        return PayloadTooLargeError("body_too_large", f"Body is larger than {self.config.max_body_size} bytes")

    def feed(self, chunk: bytes) -> None:
        """Take the next chunk of the body; refuse it as soon as the body passes the limit."""
        self._size += len(chunk)
        if self._size > self.config.max_body_size:
            self._parts.clear()  # nothing past the limit is held, not even what came before
            raise self._too_large()
        if chunk:
            self._parts.append(chunk)

    def finish(self) -> WebhookDelivery:
        """Verify the whole body, then validate it into a `WebhookDelivery`."""
        body = b"".join(self._parts)
        self._parts = [body]
        delivery_id = self.config.scheme.verify(body, self.headers, self.query)
        event = validate_webhook_event(body)
        event_time = event.event_date or event.sent_at or self.received_at
        key = idempotency_key(event, delivery_id)
        return WebhookDelivery(event, delivery_id, key, event_time, self.received_at, body)


def receive_webhook(
    body: bytes, headers: Mapping[str, str], query: Mapping[str, str], config: WebhookConfig
) -> WebhookDelivery:
    """Run every check on a body that is already read, then validate it: the framework-free entry point.

    The same pipeline as `IncomingWebhook`, fed the whole body at once; it raises what that raises.

    ```python
    from jobstatus import JobStatusValue
    from jobstatus.webhooks import JobEvent, StackOneScheme, WebhookConfig, receive_webhook

    scheme = StackOneScheme(secrets=("s3cret",))
    body = b'{"event": "ats_jobs.updated", "event_data": {"id": "c28xIQ", "job_status": {"value": "On Hold"}}}'
    headers = {"content-type": "application/json", **scheme.sign_headers(body)}
    delivery = receive_webhook(body, headers, {}, WebhookConfig(scheme))
    assert isinstance(delivery.event, JobEvent) and delivery.event.record_status is not None
    assert delivery.event.record_status.value is JobStatusValue.ON_HOLD
    ```
    """
    incoming = IncomingWebhook(headers, query, config)
    incoming.feed(body)
    return incoming.finish()
