"""Verification schemes: each proves that raw bytes come from the sender, or refuses them.

A scheme is any object with one method (see `WebhookScheme`), as an `httpx.Auth` is: the built-in
ones below cover the upstream (`StackOneScheme`), the generic HMAC family most unified APIs use
(`HmacSha256Scheme`), Standard Webhooks, and the weaker query token. Every comparison of a secret
or a signature is constant-time, and no message ever contains a secret or an expected signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from ._errors import WebhookVerificationError

if TYPE_CHECKING:
    import standardwebhooks

__all__ = (
    "DEFAULT_TOLERANCE_SECONDS",
    "HmacSha256Scheme",
    "QueryTokenScheme",
    "SchemeParameter",
    "StackOneScheme",
    "StandardWebhooksScheme",
    "WebhookScheme",
    "scheme_parameters",
)

DEFAULT_TOLERANCE_SECONDS: Final = 300
"""How far a signed timestamp may be from now, in seconds (the Standard Webhooks recommendation)."""


class WebhookScheme(Protocol):
    """What `WebhookConfig.scheme` takes: one method, so a team can plug in its own scheme.

    `verify` gets the raw body exactly as received, the request headers (looked up in lower case;
    `header_value` reads a plain dict whatever its key case) and the query parameters. It returns
    the sender's delivery id when the scheme carries one, otherwise `None`, and raises
    `WebhookVerificationError` (never another exception) when the body is not proven. It must not
    parse the body. A scheme may also have a `parameters` attribute (a tuple of `SchemeParameter`),
    which framework integrations use to document the headers or query parameters it reads.

    ```python
    from collections.abc import Mapping
    from jobstatus.webhooks import WebhookConfig, WebhookVerificationError, receive_webhook

    class AllowListScheme:
        def verify(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
            if headers.get("x-sender") != "trusted":
                raise WebhookVerificationError("sender_unknown", "Unknown sender")
            return None

    delivery = receive_webhook(
        b'{"event": "account.created"}',
        {"content-type": "application/json", "x-sender": "trusted"},
        {},
        WebhookConfig(AllowListScheme()),
    )
    assert delivery.event.event == "account.created"
    ```
    """

    def verify(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
        """Return the delivery id (or `None`); raise `WebhookVerificationError` when not verified."""
        ...


@dataclass(frozen=True)
class SchemeParameter:
    """A header or query parameter a scheme reads, for documentation (OpenAPI) only."""

    name: str
    location: Literal["header", "query"]
    description: str


def scheme_parameters(scheme: WebhookScheme) -> tuple[SchemeParameter, ...]:
    """The parameters `scheme` documents (its `parameters` attribute), or none.

    ```python
    from jobstatus.webhooks import StackOneScheme, scheme_parameters

    assert [p.name for p in scheme_parameters(StackOneScheme(secrets=("s",)))] == ["x-stackone-signature"]
    ```
    """
    parameters = getattr(scheme, "parameters", ())
    return tuple(parameter for parameter in parameters if isinstance(parameter, SchemeParameter))


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Read a header whatever the mapping's key case (`name` is lower case); a value that is not
    text (possible from a plain dict, never from HTTP) counts as absent, so it is refused as missing."""
    value = headers.get(name)
    if value is None:
        # Only plain dicts get here with a miss; Starlette's Headers are already case-insensitive.
        value = next((item for key, item in headers.items() if isinstance(key, str) and key.lower() == name), None)
    return value if isinstance(value, str) else None


def query_value(query: Mapping[str, str], name: str) -> str | None:
    """Read a query parameter; a value that is not text (a list from `parse_qs`) counts as absent."""
    value = query.get(name)
    return value if isinstance(value, str) else None


def _secret_tuple(secrets: Any) -> tuple[Any, ...]:
    """`secrets` as a tuple: one string counts as one secret, not as its characters."""
    if isinstance(secrets, (str, bytes)):
        secrets = (secrets,)
    result: tuple[Any, ...] = tuple(secrets)
    if not result or any(not secret for secret in result):
        raise ValueError("at least one non-empty secret is required")
    return result


def _as_bytes(text: str) -> bytes:
    # `surrogatepass`: a value with a lone surrogate (possible from a plain dict, never from HTTP)
    # is compared as what it is and refused like any wrong value, instead of raising UnicodeEncodeError.
    return text.encode("utf-8", "surrogatepass")


SignatureEncoding = Literal["hex", "base64", "base64url"]

# Each alphabet checked on its own: the standard library's decoder would take a mix of both.
_ALPHABETS: Final[dict[SignatureEncoding, re.Pattern[str]]] = {
    "hex": re.compile(r"[0-9A-Fa-f]+\Z"),
    "base64": re.compile(r"[A-Za-z0-9+/]+={0,2}\Z"),
    "base64url": re.compile(r"[A-Za-z0-9_-]+={0,2}\Z"),
}


def _decode_signature(text: str, encoding: SignatureEncoding) -> bytes | None:
    """The digest bytes of a signature in `encoding`, padding optional; `None` when malformed."""
    if not _ALPHABETS[encoding].match(text):
        return None
    if encoding == "hex":
        return bytes.fromhex(text) if len(text) % 2 == 0 else None
    unpadded = text.rstrip("=")
    if len(unpadded) % 4 == 1:  # no base64 text has this length
        return None
    padded = unpadded + "=" * (-len(unpadded) % 4)
    try:
        return base64.b64decode(padded, altchars=b"-_" if encoding == "base64url" else None, validate=True)
    except binascii.Error:  # pragma: no cover - the alphabet and length are checked above
        return None


def _encode_signature(digest: bytes, encoding: SignatureEncoding) -> str:
    if encoding == "hex":
        return digest.hex()
    if encoding == "base64":
        return base64.b64encode(digest).decode()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class HmacSha256Scheme:
    """HMAC-SHA256 of the raw body, keyed with each secret's UTF-8 bytes, sent in one header.

    The family most unified APIs use; each is one line (see docs/webhooks.md): Merge
    `HmacSha256Scheme(secrets, header="X-Merge-Webhook-Signature", encoding="base64url")`, Kombo
    `header="X-Kombo-Signature"`, Knit `header="X-Knit-Signature"`, both base64url. No timestamp is
    signed, so the scheme cannot refuse a replayed delivery: deduplicate on
    `WebhookDelivery.idempotency_key` and order by `WebhookDelivery.event_time`.

    Args:
        secrets: the active secrets (text or bytes); several while rotating.
        header: the header that carries the signature (any case).
        encoding: `"hex"`, `"base64"` or `"base64url"`; base64 padding is optional. Each alphabet is
            strict: a standard-base64 signature (`+`, `/`) is malformed under `"base64url"`.
        prefix: text the header value starts with before the signature, such as `"sha256="`
            (matched ignoring case, then required); empty for none.

    ```python
    from jobstatus.webhooks import HmacSha256Scheme

    scheme = HmacSha256Scheme(secrets=("s3cret",), header="X-Hub-Signature-256", prefix="sha256=")
    headers = scheme.sign_headers(b"{}")
    assert headers["x-hub-signature-256"].startswith("sha256=")
    assert scheme.verify(b"{}", headers, {}) is None
    ```
    """

    secrets: tuple[str | bytes, ...]
    header: str = "x-signature"
    encoding: SignatureEncoding = "hex"
    prefix: str = ""
    _keys: tuple[bytes, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        secrets = _secret_tuple(self.secrets)
        if self.encoding not in _ALPHABETS:
            raise ValueError("encoding must be 'hex', 'base64' or 'base64url'")
        if not self.header:
            raise ValueError("header must not be empty")
        keys = tuple(_as_bytes(secret) if isinstance(secret, str) else secret for secret in secrets)
        object.__setattr__(self, "secrets", secrets)
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(self, "header", self.header.lower())

    @property
    def parameters(self) -> tuple[SchemeParameter, ...]:
        """The signature header, for documentation."""
        description = f"HMAC-SHA256 of the raw body, {self.encoding}"
        if self.prefix:
            description += f", after {self.prefix!r}"
        return (SchemeParameter(self.header, "header", description),)

    def verify(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> None:
        """Verify `body`; return `None` (no delivery id in this scheme) or raise `WebhookVerificationError`."""
        sent = header_value(headers, self.header)
        if not sent or not sent.strip():
            raise WebhookVerificationError("signature_missing", f"Missing {self.header} header")
        text = sent.strip()
        if self.prefix:
            if text[: len(self.prefix)].lower() != self.prefix.lower():
                raise WebhookVerificationError("signature_malformed", f"The {self.header} header lacks {self.prefix!r}")
            text = text[len(self.prefix) :]
        signature = _decode_signature(text, self.encoding)
        if signature is None:
            raise WebhookVerificationError("signature_malformed", f"The {self.header} header is not {self.encoding}")
        # Every key is tried, so the time taken does not tell which secret (if any) matched.
        matched = False
        for key in self._keys:
            matched |= hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest(), signature)
        if not matched:
            raise WebhookVerificationError("signature_invalid", "No matching signature")

    def sign_headers(self, body: bytes) -> dict[str, str]:
        """The header a sender would add, signed with the first secret (for tests and examples)."""
        digest = hmac.new(self._keys[0], body, hashlib.sha256).digest()
        return {self.header: self.prefix + _encode_signature(digest, self.encoding)}


@dataclass(frozen=True)
class StackOneScheme(HmacSha256Scheme):
    """The upstream's scheme: `x-stackone-signature`, HMAC-SHA256 of the raw body keyed with the
    signing secret as text, base64url (padding optional).

    As the upstream's own receiver computes it in Node:
    `createHmac('sha256', secret).update(rawBody).digest('base64url')`. Pass both secrets while
    rotating, then drop the old one. Nothing about time is signed: see `HmacSha256Scheme` on replays.

    ```python
    from jobstatus.webhooks import StackOneScheme

    scheme = StackOneScheme(secrets=("old-secret", "new-secret"))
    body = b'{"event": "ats_jobs.updated"}'
    signed = StackOneScheme(secrets=("new-secret",)).sign_headers(body)
    assert list(signed) == ["x-stackone-signature"] and "=" not in signed["x-stackone-signature"]
    assert scheme.verify(body, signed, {}) is None
    ```
    """

    header: str = field(default="x-stackone-signature", init=False)
    encoding: SignatureEncoding = field(default="base64url", init=False)
    prefix: str = field(default="", init=False)


@dataclass(frozen=True)
class StandardWebhooksScheme:
    """The Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`, `webhook-signature` headers),
    verified by the `standardwebhooks` package (the `jobstatus[webhooks]` extra).

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
    parameters: tuple[SchemeParameter, ...] = field(
        init=False,
        repr=False,
        compare=False,
        default=(
            SchemeParameter("webhook-id", "header", "The delivery id (Standard Webhooks)"),
            SchemeParameter("webhook-timestamp", "header", "Unix time of the signature, within the tolerance"),
            SchemeParameter("webhook-signature", "header", "Space-separated `v1,<base64>` signatures"),
        ),
    )
    _webhooks: tuple[standardwebhooks.Webhook, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            import standardwebhooks
            from standardwebhooks.webhooks import EmptyWebhookSecretError
        except ImportError as error:  # pragma: no cover - exercised only without the extra
            raise ImportError(
                "StandardWebhooksScheme needs standardwebhooks: pip install 'jobstatus[webhooks]'"
            ) from error
        secrets = _secret_tuple(self.secrets)
        if not 0 < self.tolerance_seconds <= DEFAULT_TOLERANCE_SECONDS:
            raise ValueError("tolerance_seconds must be in (0, 300]: standardwebhooks refuses older messages itself")
        try:
            webhooks = tuple(standardwebhooks.Webhook(secret) for secret in secrets)
        except (ValueError, TypeError, EmptyWebhookSecretError):
            # The message is generic on purpose: the secret is never echoed, not even in logs.
            raise ValueError("a Standard Webhooks secret must be base64, optionally prefixed 'whsec_'") from None
        object.__setattr__(self, "secrets", secrets)
        object.__setattr__(self, "_webhooks", webhooks)

    def verify(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> str:
        """Verify `body`; return the delivery id (`webhook-id`) or raise `WebhookVerificationError`."""
        import standardwebhooks

        msg_id = header_value(headers, "webhook-id")
        timestamp = header_value(headers, "webhook-timestamp")
        signature = header_value(headers, "webhook-signature")
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
        # The header is a list of `v1,<signature>` entries; standardwebhooks 1.1 gives up on the
        # whole list at the first malformed entry, so only well-formed ones are handed on.
        entries = " ".join(_well_formed_signatures(signature.split()))
        if not entries:
            raise WebhookVerificationError("signature_malformed", "webhook-signature has no v1 signature")
        wanted = {"webhook-id": msg_id, "webhook-timestamp": timestamp, "webhook-signature": entries}
        for webhook in self._webhooks:
            try:
                webhook.verify(body, wanted, json_parse=False)
            # standardwebhooks 1.1 lets ValueError escape on a non-UTF-8 body or bad base64
            # (binascii.Error and UnicodeError are ValueErrors).
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


_SHA256_DIGEST_SIZE: Final = 32


def _well_formed_signatures(entries: Iterable[str]) -> Iterable[str]:
    # Only entries standardwebhooks can read to the end: `v1,` and the base64 of a whole digest.
    for entry in entries:
        version, comma, signature = entry.partition(",")
        if version != "v1" or not comma or len(signature) % 4:
            continue
        digest = _decode_signature(signature, "base64")
        if digest is not None and len(digest) == _SHA256_DIGEST_SIZE:
            yield entry


@dataclass(frozen=True)
class QueryTokenScheme:
    """A shared secret in the query string (`?token=...`): the weaker alternative upstream documents.

    It proves only that the sender knows the URL, not that the body is intact, and cannot refuse
    replays. The token is part of the URL, so it reaches every access log on the way unless
    redacted (the example receiver redacts its own).

    ```python
    from jobstatus.webhooks import QueryTokenScheme

    assert QueryTokenScheme(secrets=("old", "new")).verify(b"{}", {}, {"token": "new"}) is None
    ```
    """

    secrets: tuple[str, ...]
    parameter: str = "token"
    _keys: tuple[bytes, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        secrets = _secret_tuple(self.secrets)
        object.__setattr__(self, "secrets", secrets)
        object.__setattr__(self, "_keys", tuple(_as_bytes(secret) for secret in secrets))

    @property
    def parameters(self) -> tuple[SchemeParameter, ...]:
        """The token parameter, for documentation."""
        return (SchemeParameter(self.parameter, "query", "The shared webhook token"),)

    def verify(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> None:
        """Check the token; return `None` or raise `WebhookVerificationError`."""
        sent = query_value(query, self.parameter)
        if not sent:
            raise WebhookVerificationError("token_missing", f"Missing ?{self.parameter}= parameter")
        # Bytes, because compare_digest refuses non-ASCII str instead of answering False.
        token = _as_bytes(sent)
        matched = False
        for key in self._keys:
            matched |= hmac.compare_digest(token, key)
        if not matched:
            raise WebhookVerificationError("token_invalid", f"Wrong ?{self.parameter}= parameter")
