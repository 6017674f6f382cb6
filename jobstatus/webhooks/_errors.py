"""The refusals of the webhook layer: one hierarchy, each with the HTTP status it maps to."""

from __future__ import annotations

__all__ = (
    "BodyTimeoutError",
    "ClientDisconnectedError",
    "MalformedRequestError",
    "PayloadTooLargeError",
    "UnsupportedContentTypeError",
    "WebhookError",
    "WebhookVerificationError",
)


class WebhookError(Exception):
    """Base of the refusals; `code` is a stable string to match on, the message is safe to show.

    No message ever contains a secret, an expected signature or the body.

    ```python
    from jobstatus.webhooks import WebhookError, WebhookVerificationError

    error = WebhookVerificationError("signature_invalid", "No matching signature")
    assert isinstance(error, WebhookError) and (error.status_code, error.code) == (401, "signature_invalid")
    ```
    """

    status_code: int = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class MalformedRequestError(WebhookError):
    """The request is not well-formed HTTP for a webhook (a `Content-Length` that is not a number)."""

    status_code = 400


class WebhookVerificationError(WebhookError):
    """The body is not proven to come from the sender: missing, malformed, wrong or stale signature."""

    status_code = 401


class BodyTimeoutError(WebhookError):
    """The body did not arrive within `WebhookConfig.body_timeout_seconds`."""

    status_code = 408


class PayloadTooLargeError(WebhookError):
    """The body (declared or read) is larger than `WebhookConfig.max_body_size`."""

    status_code = 413


class UnsupportedContentTypeError(WebhookError):
    """The content type is not JSON (`application/json` or `application/*+json`)."""

    status_code = 415


class ClientDisconnectedError(WebhookError):
    """The sender went away before the whole body arrived: nothing was verified, nothing is stored.

    Framework integrations end such a request quietly; 499 is the conventional (non-standard) status
    for it and is never actually sent, since nobody is listening.
    """

    status_code = 499
