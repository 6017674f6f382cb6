"""Inbound webhooks: verify the raw bytes, then validate them into typed events.

No web framework lives here: plain bytes, a headers mapping and a query mapping go in, a
`WebhookDelivery` or a `WebhookError` comes out; `jobstatus.fastapi` wraps this for FastAPI. The
parts: `_events` (the upstream's bodies and pages), `_schemes` (verification), `_receiving` (the one
pipeline, `IncomingWebhook`), `_errors` (the refusals).

```python
from jobstatus import JobStatusValue
from jobstatus.webhooks import StackOneScheme, WebhookConfig, receive_webhook

config = WebhookConfig(StackOneScheme(secrets=("the signing secret",)))
body = b'{"event": "ats_jobs.updated", "event_data": {"id": "c28xIQ", "job_status": {"value": "On Hold"}}}'
headers = {"content-type": "application/json", **config.scheme.sign_headers(body)}
delivery = receive_webhook(body, headers, {}, config)
assert delivery.event.record_status is not None
assert delivery.event.record_status.value is JobStatusValue.ON_HOLD
```
"""

from ._errors import (
    BodyTimeoutError,
    ClientDisconnectedError,
    MalformedRequestError,
    PayloadTooLargeError,
    UnsupportedContentTypeError,
    WebhookError,
    WebhookVerificationError,
)
from ._events import (
    WEBHOOK_EVENT_ADAPTER,
    Job,
    JobEvent,
    JobPosting,
    JobPostingEvent,
    JobPostingsPage,
    JobsPage,
    OtherEvent,
    WebhookEnvelope,
    WebhookEvent,
    WebhookEventType,
    validate_webhook_event,
)
from ._receiving import (
    DEFAULT_BODY_TIMEOUT_SECONDS,
    DEFAULT_MAX_BODY_SIZE,
    IncomingWebhook,
    WebhookConfig,
    WebhookDelivery,
    idempotency_key,
    receive_webhook,
)
from ._schemes import (
    DEFAULT_TOLERANCE_SECONDS,
    HmacSha256Scheme,
    QueryTokenScheme,
    SchemeParameter,
    StackOneScheme,
    StandardWebhooksScheme,
    WebhookScheme,
    scheme_parameters,
)

__all__ = (
    "DEFAULT_BODY_TIMEOUT_SECONDS",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_TOLERANCE_SECONDS",
    "WEBHOOK_EVENT_ADAPTER",
    "BodyTimeoutError",
    "ClientDisconnectedError",
    "HmacSha256Scheme",
    "IncomingWebhook",
    "Job",
    "JobEvent",
    "JobPosting",
    "JobPostingEvent",
    "JobPostingsPage",
    "JobsPage",
    "MalformedRequestError",
    "OtherEvent",
    "PayloadTooLargeError",
    "QueryTokenScheme",
    "SchemeParameter",
    "StackOneScheme",
    "StandardWebhooksScheme",
    "UnsupportedContentTypeError",
    "WebhookConfig",
    "WebhookDelivery",
    "WebhookEnvelope",
    "WebhookError",
    "WebhookEvent",
    "WebhookEventType",
    "WebhookScheme",
    "WebhookVerificationError",
    "idempotency_key",
    "receive_webhook",
    "scheme_parameters",
    "validate_webhook_event",
)
