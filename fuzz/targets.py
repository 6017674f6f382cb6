"""The fuzz targets, as plain functions: the atheris harnesses call them, and the tests replay the
seed corpus and every past crash through them (`tests/test_fuzz.py`).

Each target raises `AssertionError` (or lets an unexpected exception escape) when a promise breaks:

- `validate_json_target`: any bytes give an object or a `ValidationError`; an accepted document
  round-trips, and under the default policy `source_value` is what a JSON parser reads.
- `webhook_target`: verify-then-validate gives a delivery, a `WebhookError` or a `ValidationError`;
  a delivery is only ever made from a correctly signed body, and it round-trips; a refusal renders
  as the strict JSON of FastAPI's 422 (a body that cannot be rendered would be a 500).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from typing import Any

from fastapi.encoders import jsonable_encoder
from pydantic import ValidationError

from jobstatus import (
    JobStatus,
)
from jobstatus.fastapi import _validation_error
from jobstatus.schema import SCHEMA_MODELS
from jobstatus.webhooks import (
    WEBHOOK_EVENT_ADAPTER,
    HmacSha256Scheme,
    QueryTokenScheme,
    StackOneScheme,
    StandardWebhooksScheme,
    WebhookConfig,
    WebhookError,
    receive_webhook,
)

MODELS = SCHEMA_MODELS  # the package's own models


def same_json(a: Any, b: Any) -> bool:
    """JSON equality that tells the kinds apart (true is not 1, 1 is not 1.0) and keeps key order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_json(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return bool(a == b)


def _python_reads(data: bytes) -> Any:
    """What the standard library's parser reads from `data`, or a sentinel when it refuses it."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return _REFUSED


_REFUSED = object()


def validate_json_target(data: bytes) -> None:
    for model in MODELS:
        try:
            instance = model.model_validate_json(data)
        except ValidationError:
            continue
        dumped = instance.model_dump_json()
        again = model.model_validate_json(dumped)
        assert again.model_dump_json() == dumped, (model.__name__, dumped)
        if model is JobStatus:
            # Differential: what pydantic accepted, the standard library reads the same way.
            parsed = _python_reads(data)
            assert parsed is not _REFUSED, "accepted, but not JSON to the standard library"
            assert isinstance(parsed, dict)
            if "source_value" in parsed:
                assert same_json(json.loads(dumped)["source_value"], parsed["source_value"]), dumped


# The webhook target's receivers: one per scheme, small limits so that the fuzzer reaches them.
_SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
_TOKEN = "c2VjcmV0LXRva2VuLW5vdC10by1iZS1ndWVzc2Vk"
_HMAC_KEY = b"a fuzz target's hmac key, 32 byt"
_STANDARD = StandardWebhooksScheme(secrets=(_SECRET,))
_HMAC = HmacSha256Scheme(secrets=(_HMAC_KEY,))
_STACKONE = StackOneScheme(secrets=(_TOKEN,))
_CONFIGS = (
    WebhookConfig(_STANDARD, max_body_size=4096),
    WebhookConfig(_HMAC, max_body_size=4096),
    WebhookConfig(QueryTokenScheme(secrets=(_TOKEN,)), max_body_size=4096),
    WebhookConfig(_STACKONE, max_body_size=4096),
)
_CONTENT_TYPES = ("application/json", "application/vnd.api+json; charset=utf-8", "text/plain", "")


def webhook_target(data: bytes) -> None:
    """Input layout: one flag byte, then the sender's signature text up to the first newline, then the body.

    Flag bits: 0-1 pick the scheme (Standard Webhooks, HMAC hex, token, the upstream's), 2-3 the
    content type, 7 says whether to sign the body correctly
    (otherwise the signature text is sent as it is, a forgery attempt).
    """
    flags = data[0] if data else 0
    claimed, _, body = data[1:].partition(b"\n")
    scheme_index = flags & 0b11
    config = _CONFIGS[scheme_index]
    signed = bool(flags & 0x80)
    headers = {"content-type": _CONTENT_TYPES[(flags >> 2) & 0b11]}
    query: dict[str, str] = {}
    text = claimed.decode("latin-1")
    if scheme_index == 0:
        msg_id = text[:32] or "msg"
        if signed:
            headers.update(_STANDARD.sign_headers(body, msg_id=msg_id) if _utf8(body) else {})
        else:
            headers.update({"webhook-id": msg_id, "webhook-timestamp": text[32:48], "webhook-signature": text[48:]})
    elif scheme_index == 1:
        headers["x-signature"] = hmac.new(_HMAC_KEY, body, hashlib.sha256).hexdigest() if signed else text
    elif scheme_index == 2:
        query["token"] = _TOKEN if signed else text
    else:
        headers.update(_STACKONE.sign_headers(body) if signed else {"x-stackone-signature": text})
    try:
        delivery = receive_webhook(body, headers, query, config)
    except WebhookError:
        return
    except ValidationError as error:
        detail = jsonable_encoder({"detail": _validation_error(error).errors()})
        json.dumps(detail, allow_nan=False)  # as FastAPI's JSONResponse renders it
        return
    assert signed, "a delivery was made from a body that was not signed"
    dumped = WEBHOOK_EVENT_ADAPTER.dump_json(delivery.event)
    assert WEBHOOK_EVENT_ADAPTER.dump_json(WEBHOOK_EVENT_ADAPTER.validate_json(dumped)) == dumped


def _utf8(body: bytes) -> bool:
    # The Standard Webhooks signer signs text; a sender cannot sign bytes that are not UTF-8.
    try:
        body.decode()
    except UnicodeDecodeError:
        return False
    return True
