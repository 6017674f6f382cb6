"""The envelope's fast path: `validate_webhook_event` against `WEBHOOK_EVENT_ADAPTER` (today's path).

`validate_webhook_event` validates a documented event type as a tagged union on the exact value of
`event` inside pydantic-core, and every other body (and every body that fast path refuses) with
`WEBHOOK_EVENT_ADAPTER`. Each case says which path it takes, so the table shows both are exercised;
each result is compared with every type made visible (classes, enum members, `model_fields_set` at
every level, float bits), and each error by type, loc, msg, input and ctx.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from jobstatus.webhooks import (
    WEBHOOK_EVENT_ADAPTER,
    JobEvent,
    JobPostingEvent,
    OtherEvent,
    StackOneScheme,
    WebhookConfig,
    WebhookEventType,
    _events,
    receive_webhook,
    validate_webhook_event,
)

TODAY: Callable[[Any], Any] = WEBHOOK_EVENT_ADAPTER.validate_json


def shape(value: Any) -> Any:
    """`value` with every type and every set of set fields made visible: equal shapes, equal results."""
    if isinstance(value, BaseModel):
        fields = tuple((name, shape(getattr(value, name))) for name in type(value).model_fields)
        return type(value), frozenset(value.model_fields_set), fields, shape(value.model_extra)
    if isinstance(value, dict):
        return dict, tuple((shape(key), shape(item)) for key, item in value.items())
    if isinstance(value, list):
        return list, tuple(shape(item) for item in value)
    if isinstance(value, float):
        return float, value.hex()  # -0.0 and 0.0 differ; NaN equals itself
    if isinstance(value, datetime):
        return datetime, value.isoformat()  # the offset too, not only the instant
    return type(value), value


def outcome(validate: Callable[[Any], Any], body: Any) -> tuple[Any, ...]:
    """What `validate` makes of `body`: the shape of the event, or every detail of every error."""
    try:
        event = validate(body)
    except ValidationError as error:
        details = [
            (e["type"], e["loc"], e["msg"], repr(e["input"]), repr(e.get("ctx")))
            for e in error.errors(include_url=False)
        ]
        return "invalid", error.title, details
    return "valid", shape(event)


def fast_path_takes(body: Any) -> bool:
    """Whether the tagged union alone validates `body` (else it falls back to today's path)."""
    try:
        _events._validate_documented_event(body)
    except ValidationError:
        return False
    return True


def dumps(body: Any) -> bytes:
    return json.dumps(body).encode()


FAST, FALLBACK = True, False

cases: list[tuple[str, bytes, bool, type[Any] | None]] = [
    # -- documented job events, each type
    ("job created", dumps({"event": "ats_jobs.created", "event_data": {"id": "j1"}}), FAST, JobEvent),
    ("job deleted, no record", dumps({"event": "ats_jobs.deleted"}), FAST, JobEvent),
    (
        "job updated, job_status normalized",
        dumps({"event": "ats_jobs.updated", "event_data": {"job_status": {"value": "On Hold", "source_value": 3}}}),
        FAST,
        JobEvent,
    ),
    # -- the inference of job_status from a plain status, with the envelope's provider
    (
        "plain status, provider's vocabulary",
        dumps({"event": "ats_jobs.updated", "provider": "workday", "event_data": {"status": "Frozen"}}),
        FAST,
        JobEvent,
    ),
    (
        "plain status, provider in another case",
        dumps({"event": "ats_jobs.updated", "provider": "WorkDay", "data": {"status": "Frozen"}}),
        FAST,
        JobEvent,
    ),
    (
        "plain status, provider without a table",
        dumps({"event": "ats_jobs.updated", "provider": "no-such-ats", "data": {"status": "closed"}}),
        FAST,
        JobEvent,
    ),
    (
        "plain status, no provider",
        dumps({"event": "ats_jobs.created", "event_data": {"status": "Frozen"}}),
        FAST,
        JobEvent,
    ),
    (
        "explicit null job_status is kept",
        dumps({"event": "ats_jobs.updated", "event_data": {"status": "open", "job_status": None}}),
        FAST,
        JobEvent,
    ),
    # -- record is event_data else data; both validated (and inferred) when both are present
    (
        "both records, both inferred",
        dumps(
            {
                "event": "ats_jobs.updated",
                "provider": "workday",
                "event_data": {"status": "Frozen"},
                "data": {"status": "open"},
            }
        ),
        FAST,
        JobEvent,
    ),
    (
        "event_data null, data set",
        dumps({"event": "ats_jobs.updated", "event_data": None, "data": {"id": "b"}}),
        FAST,
        JobEvent,
    ),
    (
        "both records, data invalid",
        dumps({"event": "ats_jobs.updated", "event_data": {"id": "a"}, "data": {"job_status": {"value": 3}}}),
        FALLBACK,
        None,
    ),
    # -- postings
    (
        "posting, status object",
        dumps({"event": "ats_job_postings.updated", "data": {"status": {"value": "LIVE", "source_value": "Live"}}}),
        FAST,
        JobPostingEvent,
    ),
    (
        "posting, plain status",
        dumps({"event": "ats_job_postings.created", "event_data": {"status": "live"}}),
        FAST,
        JobPostingEvent,
    ),
    ("posting deleted", dumps({"event": "ats_job_postings.deleted"}), FAST, JobPostingEvent),
    # -- documented platform events and alerts
    ("account created, record as JSON", dumps({"event": "account.created", "data": [1, {"a": 2.5}]}), FAST, OtherEvent),
    ("account error", dumps({"event": "account.error", "event_data": "x"}), FAST, OtherEvent),
    ("request failed", dumps({"event": "request.failed"}), FAST, OtherEvent),
    # -- every envelope field, extra keys at every level, times, ids
    (
        "everything",
        dumps(
            {
                "event": "ats_jobs.updated",
                "event_date": "2025-03-04T12:11:12+02:00",
                "sent_at": 1741083072,
                "record_type": "job",
                "record_id": 12,
                "record_remote_id": "r",
                "account_id": "a",
                "project_id": "p",
                "provider": "greenhouse",
                "origin_owner_id": "o",
                "origin_owner_name": "n",
                "origin_username": "u",
                "raw_event": {"k": [1, -0.0, 1e300, None, True]},
                "delivery": {"n": 2},
                "event_data": {
                    "id": "j",
                    "remote_id": "r",
                    "title": "t",
                    "hiring_team": [{"id": 1}],
                    "job_status": {"value": "open", "extra": "kept"},
                },
            }
        ),
        FAST,
        JobEvent,
    ),
    (
        "naive time read as UTC",
        dumps({"event": "account.updated", "event_date": "2025-03-04T10:11:12"}),
        FAST,
        OtherEvent,
    ),
    # -- duplicate keys: the last wins, for the tag as for the fields
    (
        "duplicate event, the last is other",
        b'{"event": "ats_jobs.updated", "event": "account.created", "event_data": {"status": "x"}}',
        FAST,
        OtherEvent,
    ),
    (
        "duplicate event, the last is a job event",
        b'{"event": "account.created", "event": "ats_jobs.updated", "event_data": {"status": "x"}}',
        FAST,
        JobEvent,
    ),
    (
        "duplicate event, the last is unknown",
        b'{"event": "ats_jobs.updated", "event": "ats_jobs.archived", "event_data": {"status": "x"}}',
        FALLBACK,
        JobEvent,
    ),
    (
        "duplicate event, the last is not a string",
        b'{"event": "ats_jobs.updated", "event": 1}',
        FALLBACK,
        None,
    ),
    (
        "duplicate records",
        b'{"event": "ats_jobs.updated", "event_data": {"status": "open"}, "event_data": {"id": "2"}}',
        FAST,
        JobEvent,
    ),
    # -- event types that are not documented: today's path, by prefix
    ("unknown job event type", dumps({"event": "ats_jobs.archived", "data": {"status": "open"}}), FALLBACK, JobEvent),
    ("unknown posting event type", dumps({"event": "ats_job_postings.x", "data": {}}), FALLBACK, JobPostingEvent),
    ("another family", dumps({"event": "ats_candidates.created", "event_data": [1]}), FALLBACK, OtherEvent),
    ("a type in upper case", dumps({"event": "ATS_JOBS.UPDATED", "data": {"status": "x"}}), FALLBACK, OtherEvent),
    ("a type with a space", dumps({"event": "ats_jobs.updated ", "data": {"status": "x"}}), FALLBACK, JobEvent),
    ("a prefix only", dumps({"event": "ats_jobs"}), FALLBACK, JobEvent),
    ("no event", dumps({"data": {"status": "x"}}), FALLBACK, OtherEvent),
    ("event null", dumps({"event": None}), FALLBACK, OtherEvent),
    ("empty object", b"{}", FALLBACK, OtherEvent),
    # -- event values that are not strings
    ("event an integer", dumps({"event": 1}), FALLBACK, None),
    ("event a boolean", dumps({"event": True}), FALLBACK, None),
    ("event a float", dumps({"event": 1.5}), FALLBACK, None),
    ("event a list", dumps({"event": ["ats_jobs.updated"]}), FALLBACK, None),
    ("event an object", dumps({"event": {"ats_jobs.updated": 1}}), FALLBACK, None),
    # -- documented types whose body is invalid: today's errors
    ("record not an object", dumps({"event": "ats_jobs.updated", "data": 1}), FALLBACK, None),
    (
        "status value not a string",
        dumps({"event": "ats_jobs.updated", "event_data": {"job_status": {"value": 3}}}),
        FALLBACK,
        None,
    ),
    ("posting status a number", dumps({"event": "ats_job_postings.updated", "data": {"status": 5}}), FALLBACK, None),
    ("bad time", dumps({"event": "account.created", "sent_at": "2025-13-01T00:00:00Z"}), FALLBACK, None),
    ("record id a boolean", dumps({"event": "ats_jobs.updated", "record_id": True}), FALLBACK, None),
    ("provider a number", dumps({"event": "ats_jobs.updated", "provider": 5, "data": {"status": "x"}}), FALLBACK, None),
    ("NaN in raw_event", b'{"event": "ats_jobs.updated", "raw_event": {"x": NaN}}', FALLBACK, None),
    ("Infinity in an extra key", b'{"event": "account.created", "x": Infinity}', FALLBACK, None),
    ("1e400", b'{"event": "account.created", "data": 1e400}', FALLBACK, None),
    ("too deep", ('{"event": "account.created", "data": ' + "[" * 130 + "]" * 130 + "}").encode(), FALLBACK, None),
    # -- not an object, not JSON
    ("a list", b'[{"event": "ats_jobs.updated"}]', FALLBACK, None),
    ("a string", b'"ats_jobs.updated"', FALLBACK, None),
    ("null", b"null", FALLBACK, None),
    ("truncated", b'{"event": "ats_jobs.updated", "data": {', FALLBACK, None),
    ("empty", b"", FALLBACK, None),
    ("BOM", b'\xef\xbb\xbf{"event": "account.created"}', FALLBACK, None),
    ("not UTF-8", b'{"event": "account.created", "x": "\xff"}', FALLBACK, None),
    ("lone surrogate", b'{"event": "account.created", "x": "\\ud800"}', FALLBACK, None),
    ("trailing data", b'{"event": "account.created"} {}', FALLBACK, None),
]


@pytest.mark.parametrize(("body", "fast", "model"), [c[1:] for c in cases], ids=[c[0] for c in cases])
def test_each_case_takes_its_path_and_matches_todays(body: bytes, fast: bool, model: type[Any] | None) -> None:
    assert fast_path_takes(body) is fast
    assert outcome(validate_webhook_event, body) == outcome(TODAY, body)
    if model is None:
        with pytest.raises(ValidationError):
            validate_webhook_event(body)
    else:
        assert type(validate_webhook_event(body)) is model


@pytest.mark.parametrize("kind", [bytes, bytearray, lambda body: body.decode()])
def test_str_bytes_and_bytearray_agree(kind: Callable[[bytes], Any]) -> None:
    for _, body, _, _ in cases:
        if b"\xff" in body:
            continue  # not text
        assert outcome(validate_webhook_event, kind(body)) == outcome(TODAY, kind(body))


def test_every_documented_type_is_a_fast_tag_of_its_family() -> None:
    for member in WebhookEventType:
        body = dumps({"event": member.value})
        assert fast_path_takes(body)
        assert type(validate_webhook_event(body)) is type(TODAY(body))
        assert validate_webhook_event(body).event is member


@pytest.fixture
def few_int_digits() -> Iterator[None]:
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    yield
    sys.set_int_max_str_digits(limit)


@pytest.mark.usefixtures("few_int_digits")
@pytest.mark.parametrize("digits", [639, 640, 641, 4300, 4301])
def test_long_integers_under_a_lowered_int_limit(digits: int) -> None:
    for event in ("ats_jobs.updated", "ats_jobs.archived"):
        body = b'{"event": "%s", "raw_event": %s, "data": {"job_status": {"source_value": %s}}}' % (
            event.encode(),
            b"9" * digits,
            b"9" * digits,
        )
        assert outcome(validate_webhook_event, body) == outcome(TODAY, body)


def test_the_receiving_pipeline_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []

    def spy(body: Any) -> Any:
        calls.append(body)
        return fast(body)

    fast = _events._validate_documented_event
    monkeypatch.setattr(_events, "_validate_documented_event", spy)
    scheme = StackOneScheme(secrets=("s",))
    body = dumps({"event": "ats_jobs.updated", "event_data": {"status": "open"}})
    headers = {"content-type": "application/json", **scheme.sign_headers(body)}
    delivery = receive_webhook(body, headers, {}, WebhookConfig(scheme))
    assert calls == [body]
    assert shape(delivery.event) == shape(TODAY(body))


# --------------------------------------------------------------------------------------------------
# The differential test: generated envelopes, mutated as bytes
# --------------------------------------------------------------------------------------------------


def mostly(valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`valid` nine times in ten: most bodies reach the end of the fast path, some fail on the way."""
    # Not `one_of(valid, ..., invalid)`: hypothesis draws its branches evenly whatever the repeats.
    return st.integers(0, 9).flatmap(lambda choice: invalid if choice == 0 else valid)


DOCUMENTED = st.sampled_from([member.value for member in WebhookEventType])
EVENTS = mostly(
    DOCUMENTED,
    st.one_of(
        st.sampled_from(["ats_jobs.archived", "ats_candidates.created", "ATS_JOBS.CREATED", "ats_jobs", "", "."]),
        st.text(max_size=20),
        st.none(),
        st.integers(),
        st.booleans(),
        st.lists(DOCUMENTED, max_size=1),
    ),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
TEXT = st.text(max_size=5)
STATUS_TEXT = st.sampled_from(["open", "Frozen", "On Hold", "closed", "draft", "LIVE", "Live", "", "zz"])
STATUS_OBJECT = st.fixed_dictionaries(
    {"value": mostly(st.one_of(STATUS_TEXT, st.none()), SCALARS)},
    optional={"source_value": JSON_VALUES, "extra": JSON_VALUES},
)
RECORD = mostly(
    st.fixed_dictionaries(
        {},
        optional={
            "id": mostly(TEXT, SCALARS),
            "remote_id": mostly(TEXT, SCALARS),
            "title": mostly(TEXT, SCALARS),
            "status": mostly(st.one_of(STATUS_TEXT, STATUS_OBJECT, st.none()), JSON_VALUES),
            "job_status": mostly(st.one_of(STATUS_OBJECT, st.none()), JSON_VALUES),
            "job_id": mostly(TEXT, SCALARS),
            "hiring_team": JSON_VALUES,
        },
    ),
    JSON_VALUES,
)
TIMES = mostly(
    st.sampled_from(["2025-03-04T10:11:12Z", "2025-03-04T12:11:12+02:00", "2025-03-04T10:11:12", 1741083072]),
    st.one_of(st.sampled_from(["yesterday", "2025-13-01T00:00:00Z"]), SCALARS),
)
PROVIDERS = mostly(st.sampled_from(["workday", "WORKDAY", "greenhouse", "jazzhr", "no-such-ats", ""]), SCALARS)
ENVELOPES = st.fixed_dictionaries(
    {"event": EVENTS},
    optional={
        "provider": PROVIDERS,
        "event_date": TIMES,
        "sent_at": TIMES,
        "record_id": mostly(st.one_of(TEXT, st.integers()), SCALARS),
        "account_id": mostly(TEXT, SCALARS),
        "raw_event": JSON_VALUES,
        "event_data": RECORD,
        "data": RECORD,
        "other": JSON_VALUES,
    },
) | st.fixed_dictionaries({}, optional={"data": RECORD})


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """An envelope as JSON bytes, sometimes with a duplicate key, a flipped byte or a cut."""
    envelope = draw(ENVELOPES)
    text = json.dumps(envelope, ensure_ascii=draw(st.booleans())).encode()
    mutation = draw(st.sampled_from(["none"] * 6 + ["duplicate"] * 2 + ["flip", "cut"]))
    if mutation == "duplicate" and text.startswith(b"{") and len(text) > 2:
        key = draw(st.sampled_from([b"event", b"event_data", b"data", b"provider"]))
        value = json.dumps(draw(st.one_of(EVENTS, RECORD))).encode()
        text = (
            b'{"%s": %s, %s' % (key, value, text[1:])
            if draw(st.booleans())
            else text[:-1] + b', "%s": %s}' % (key, value)
        )
    elif mutation == "flip" and text:
        position = draw(st.integers(0, len(text) - 1))
        text = text[:position] + bytes([draw(st.integers(0, 255))]) + text[position + 1 :]
    elif mutation == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    return text


@given(bodies())
@example(b'{"event": "ats_jobs.updated", "event": "account.created", "data": {"status": "x"}}')
@example(b'{"event": "ats_jobs.updated", "provider": "workday", "event_data": {"status": "Frozen"}, "data": {}}')
def test_fast_and_todays_path_agree(body: bytes) -> None:
    assert outcome(validate_webhook_event, body) == outcome(TODAY, body)
