"""The streaming bulk functions: one exact result per line, lazily, in bounded memory, picklable."""

from __future__ import annotations

import itertools
import json
import pickle
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import reduce
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from jobstatus import (
    STATUS_MODELS,
    JobPostingStatus,
    JobStatus,
    JobStatusValue,
    StrictJobStatus,
    UnifiedStatus,
    UnknownProviderError,
    UnmappedJobStatus,
    bulk,
    status_model,
    validate_with_provider,
)
from jobstatus.bulk import (
    NO_VALUE,
    UNKNOWN_VALUE,
    BulkSummary,
    DocumentModel,
    InvalidLine,
    LineResult,
    ValidLine,
    summarize_lines,
    validate_lines,
    value_key,
)
from jobstatus.webhooks import WEBHOOK_EVENT_ADAPTER, validate_webhook_event

MB = 1_000_000
SAMPLES = Path(__file__).resolve().parent.parent / "examples" / "data" / "job_statuses.ndjson"


def reference(lines: list[Any], model: DocumentModel = JobStatus, first_line: int = 1) -> list[tuple[Any, ...]]:
    """What validating each non-blank line alone gives, as comparable tuples."""
    validate = model.validate_json if isinstance(model, TypeAdapter) else model.model_validate_json
    results: list[tuple[Any, ...]] = []
    for number, line in enumerate(lines, start=first_line):
        if not line.strip(b" \t\r\n" if isinstance(line, bytes) else " \t\r\n"):
            continue
        try:
            document = validate(line)
        except ValidationError as error:
            errors = error.errors(include_url=False, include_context=False, include_input=False)
            results.append((number, "invalid", [(e["loc"], e["type"], e["msg"]) for e in errors]))
        else:
            results.append((number, "valid", type(document), document.model_dump(mode="json")))
    return results


def comparable(results: Iterator[LineResult] | list[LineResult]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for result in results:
        if isinstance(result, ValidLine):
            out.append((result.line, "valid", type(result.document), result.document.model_dump(mode="json")))
        else:
            out.append((result.line, "invalid", [(e["loc"], e["type"], e["msg"]) for e in result.errors]))
    return out


# --- each kind of line, by hand -----------------------------------------------------------------

LINE_CASES = [
    # (lines, expected [(line, "valid", dump) or (line, "invalid", [types])])
    pytest.param([b'{"value": "On Hold"}\n'], [(1, "valid", {"value": "on_hold"})], id="bytes-with-line-end"),
    pytest.param(['{"value": "draft"}'], [(1, "valid", {"value": "draft"})], id="str"),
    pytest.param([b'{"value": "open"}\r\n'], [(1, "valid", {"value": "open"})], id="crlf"),
    pytest.param([b"\n", b"", b"  \t\r\n", b"{}"], [(4, "valid", {})], id="blank-lines-count-but-yield-nothing"),
    pytest.param([b"\x0c\n"], [(1, "invalid", ["json_invalid"])], id="form-feed-is-not-blank"),
    pytest.param([b'{"value": 5}'], [(1, "invalid", ["status_value_type"])], id="bad-value"),
    pytest.param([b'{"value": "open"'], [(1, "invalid", ["json_invalid"])], id="truncated"),
    pytest.param([b"{},{}"], [(1, "invalid", ["json_invalid"])], id="two-documents-on-a-line"),
    pytest.param([b"]", b"[", b","], [(n, "invalid", ["json_invalid"]) for n in (1, 2, 3)], id="brackets-and-comma"),
    pytest.param([b"[{}]"], [(1, "invalid", ["model_type"])], id="array-line"),
    pytest.param([b'{"value": "\xff"}'], [(1, "invalid", ["json_invalid"])], id="invalid-utf8"),
    pytest.param(['{"value": "\udc80"}'], [(1, "invalid", ["string_unicode"])], id="lone-surrogate"),
    pytest.param([b"\xef\xbb\xbf{}"], [(1, "invalid", ["json_invalid"])], id="bom-is-the-callers-business"),
    # Joined into one JSON array, these three lines would make three valid documents.
    pytest.param(
        [b'{"a":[1', b"2]}", b"{},{}"], [(n, "invalid", ["json_invalid"]) for n in (1, 2, 3)], id="merge-and-split"
    ),
    pytest.param(
        [b'{"value": "open"}', '{"value": "closed"}', b"{}"],
        [(1, "valid", {"value": "open"}), (2, "valid", {"value": "closed"}), (3, "valid", {})],
        id="bytes-and-str-mixed",
    ),
]


@pytest.mark.parametrize(("lines", "expected"), LINE_CASES)
@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_each_line(lines: list[Any], expected: list[tuple[Any, ...]], batch_size: int) -> None:
    results = list(validate_lines(lines, batch_size=batch_size))
    got: list[tuple[Any, ...]] = []
    for result in results:
        if isinstance(result, ValidLine):
            got.append((result.line, "valid", result.document.model_dump(mode="json", exclude_unset=True)))
        else:
            got.append((result.line, "invalid", [error["type"] for error in result.errors]))
    assert got == expected
    assert comparable(results) == reference(lines)


def test_errors_are_pydantics_without_url_context_or_input() -> None:
    [result] = validate_lines([b'{"value": "on hodl"}'], model=StrictJobStatus)
    assert isinstance(result, InvalidLine)
    assert result.errors == [
        {
            "loc": ("value",),
            "type": "status_value_unknown",
            "msg": "Input should be one of 'published', 'draft', 'pending', 'internal', 'archived', 'closed', "
            "'open', 'deleted', 'on_hold', 'unmapped_value'; did you mean 'on_hold'?",
        }
    ]
    assert json.loads(json.dumps(result.errors)) == [{**result.errors[0], "loc": ["value"]}]


def test_first_line_numbers_a_shard() -> None:
    results = list(validate_lines([b"{}", b"\n", b"{"], first_line=101))
    assert [result.line for result in results] == [101, 103]


@pytest.mark.parametrize("model", [JobStatus, UnmappedJobStatus, StrictJobStatus, JobPostingStatus])
def test_models(model: type[BaseModel]) -> None:
    lines = [b'{"value": "Frozen"}', b'{"value": "LIVE", "source_value": 1}', b'{"value": "on-hold"}']
    assert comparable(validate_lines(lines, model=model)) == reference(lines, model)


def test_webhook_events_through_the_adapter() -> None:
    lines = [
        b'{"event": "ats_jobs.updated", "data": {"id": "j1", "job_status": {"value": "On Hold"}}}',
        b'{"event": "ats_jobs.updated", "data": {"job_status": {"value": 5}}}',
        b"[]",
        b'{"event": "ats_jobs.archived", "data": {"id": "j2"}}',  # undocumented: the adapter's path
    ]
    # Documented event types take validate_webhook_event's tagged union, the rest the adapter.
    assert bulk._validator(WEBHOOK_EVENT_ADAPTER, None) is validate_webhook_event
    results = list(validate_lines(lines, model=WEBHOOK_EVENT_ADAPTER))
    assert comparable(results) == reference(lines, WEBHOOK_EVENT_ADAPTER)
    assert isinstance(results[1], InvalidLine)
    assert results[1].errors[0]["loc"] == ("ats_jobs", "data", "job_status", "value")


# --- batched results equal per-line results, for any lines ---------------------------------------

HOSTILE = [b"{},{}", b"]", b"[", b",", b"", b"\n", b"  ", b'{"a":[1', b"2]}", b"}", b"{", b'"', b"null", b"\xff\xfe"]
documents = st.builds(
    lambda value, source: json.dumps({"value": value, "source_value": source}).encode(),
    st.one_of(st.none(), st.sampled_from([m.value for m in JobStatusValue]), st.text(max_size=8), st.integers()),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
        max_leaves=6,
    ),
)
any_line = st.one_of(documents, st.sampled_from(HOSTILE), st.binary(max_size=12))


@settings(deadline=None)
@given(lines=st.lists(any_line, max_size=25), batch_size=st.integers(1, 8), first_line=st.integers(-3, 3))
@example(lines=[b'{"a":[1', b"2]}", b"{},{}"], batch_size=3, first_line=1)
@example(lines=[b'{"a":"}', b'{"}', b"{},{}"], batch_size=3, first_line=1)
def test_batched_results_equal_per_line_results(lines: list[bytes], batch_size: int, first_line: int) -> None:
    expected = reference(lines, first_line=first_line)
    assert comparable(validate_lines(lines, batch_size=batch_size, first_line=first_line)) == expected
    summary = summarize_lines(lines, batch_size=batch_size, first_line=first_line)
    assert (summary.valid, summary.invalid) == (
        sum(result[1] == "valid" for result in expected),
        sum(result[1] == "invalid" for result in expected),
    )
    assert [error.line for error in summary.errors] == [result[0] for result in expected if result[1] == "invalid"]


@settings(deadline=None)
@given(lines=st.lists(st.one_of(st.text(max_size=10), documents.map(bytes.decode)), max_size=15))
def test_str_lines_equal_per_line_results(lines: list[str]) -> None:
    assert comparable(validate_lines(lines, batch_size=4)) == reference(lines)


# --- streaming: lazy, bounded memory --------------------------------------------------------------


def test_results_come_before_the_input_ends() -> None:
    pulled = 0

    def endless() -> Iterator[bytes]:
        nonlocal pulled
        for _ in itertools.count():
            pulled += 1
            yield b'{"value": "open"}\n'

    first = list(itertools.islice(validate_lines(endless(), batch_size=10), 3))
    assert [result.line for result in first] == [1, 2, 3]
    assert pulled == 10  # one batch read, no more


def test_memory_does_not_grow_with_the_input() -> None:
    def lines(count: int) -> Iterator[bytes]:
        for number in range(count):
            yield f'{{"source_value": {{"id": {number}, "name": "Open"}}, "value": "open"}}\n'.encode()

    def peak(count: int) -> int:
        tracemalloc.start()
        try:
            for _ in validate_lines(lines(count), batch_size=100):
                pass
            summarize_lines(lines(count), batch_size=100)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(1_000), peak(20_000)
    assert large < small * 1.5 + 64_000, (small, large)


def test_ten_megabyte_line() -> None:
    big = json.dumps({"value": "open", "source_value": "x" * (10 * MB)}).encode()
    truncated = big[:-2]
    results = list(validate_lines([b"{}", big, truncated, b'{"value": "draft"}']))
    assert [type(result) for result in results] == [ValidLine, ValidLine, InvalidLine, ValidLine]
    assert isinstance(results[1], ValidLine)
    assert results[1].document.source_value == "x" * (10 * MB)
    assert isinstance(results[2], InvalidLine)
    assert results[2].errors[0]["type"] == "json_invalid"
    assert len(results[2].errors[0]["msg"]) < 200  # the line itself is never echoed


# --- argument checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"batch_size": 0}, ValueError),
        ({"provider": "greenhose"}, UnknownProviderError),
        ({"provider": "workday", "model": type("Custom", (UnifiedStatus,), {})}, ValueError),
        ({"provider": "workday", "model": WEBHOOK_EVENT_ADAPTER}, ValueError),
        ({"model": dict}, TypeError),
    ],
)
def test_bad_arguments_fail_at_the_call(kwargs: dict[str, Any], error: type[Exception]) -> None:
    def never() -> Iterator[bytes]:
        raise AssertionError("no line should be read")
        yield b""  # pragma: no cover

    with pytest.raises(error):
        validate_lines(never(), **kwargs)
    with pytest.raises(error):
        summarize_lines(never(), **kwargs)


# --- provider inference ----------------------------------------------------------------------------

PROVIDER_CASES = [
    (b'{"source_value": "Frozen"}', "on_hold"),  # missing value: inferred
    (b'{"source_value": "Frozen", "value": null}', "on_hold"),
    (b'{"source_value": "Frozen", "value": "unmapped_value"}', "on_hold"),
    (b'{"source_value": "Frozen", "value": "closed"}', "closed"),  # an explicit value is kept
    (b'{"source_value": "Thawed"}', "unmapped_value"),  # unknown raw status
    (
        b'{"value": "Frozen"}',
        "on_hold",
    ),  # no source_value: the value is the raw status, read the same under every policy
]


@pytest.mark.parametrize(("line", "expected"), PROVIDER_CASES)
def test_provider_inference(line: bytes, expected: str) -> None:
    [result] = validate_lines([line], provider="workday")
    assert isinstance(result, ValidLine)
    assert result.document.model_dump(mode="json")["value"] == expected
    assert summarize_lines([line], provider="workday").valid == 1


POSTING_PROVIDER_CASES = [
    (b'{"source_value": "Frozen"}', "closed"),  # Workday's posting reading of a frozen requisition
    (b'{"source_value": "Frozen", "value": "live"}', "live"),  # an explicit value is kept
    (b'{"source_value": "Thawed"}', "unmapped_value"),
]


@pytest.mark.parametrize(("line", "expected"), POSTING_PROVIDER_CASES)
@pytest.mark.parametrize("model", list(STATUS_MODELS["job-posting-status"].values()))
def test_provider_inference_of_postings(model: type[UnifiedStatus], line: bytes, expected: str) -> None:
    [result] = validate_lines([line], model=model, provider="workday")
    assert isinstance(result, ValidLine)
    assert result.document.model_dump(mode="json")["value"] == expected
    assert result.document == validate_with_provider(line, "workday", model=model)
    assert summarize_lines([line], model=model, provider="workday").value_counts == {expected: 1}


def test_provider_inference_keeps_errors_per_line() -> None:
    results = list(validate_lines([b'{"source_value": "Frozen"}', b'{"value": 1}', b"{"], provider="workday"))
    assert [type(result) for result in results] == [ValidLine, InvalidLine, InvalidLine]


# --- value keys and summaries ---------------------------------------------------------------------

VALUE_KEYS = [
    (JobStatus.model_validate({"value": "On Hold"}), "on_hold"),
    (JobStatus.model_validate({"value": "Frozen"}), UNKNOWN_VALUE),
    (JobStatus.model_validate({}), NO_VALUE),
    (JobStatus.model_validate({"value": None}), NO_VALUE),
    (UnmappedJobStatus.model_validate({"value": "Frozen"}), "unmapped_value"),
    (JobPostingStatus.model_validate({"value": "LIVE"}), "live"),
    (
        WEBHOOK_EVENT_ADAPTER.validate_python({"event": "ats_jobs.created", "data": {"job_status": {"value": "open"}}}),
        "open",
    ),
    # only the deprecated plain status: job_status is inferred from it
    (WEBHOOK_EVENT_ADAPTER.validate_python({"event": "ats_jobs.created", "data": {"status": "open"}}), "open"),
    (WEBHOOK_EVENT_ADAPTER.validate_python({"event": "ats_jobs.created", "data": {"id": "j1"}}), NO_VALUE),
    (
        WEBHOOK_EVENT_ADAPTER.validate_python(
            {"event": "ats_job_postings.created", "data": {"status": {"value": "live"}}}
        ),
        "live",
    ),
    (
        WEBHOOK_EVENT_ADAPTER.validate_python({"event": "ats_job_postings.created", "data": {"status": "live"}}),
        UNKNOWN_VALUE,
    ),
    (WEBHOOK_EVENT_ADAPTER.validate_python({"event": "account.created", "data": {"status": "x"}}), NO_VALUE),
]


@pytest.mark.parametrize(("document", "key"), VALUE_KEYS)
def test_value_key(document: BaseModel, key: str) -> None:
    assert value_key(document) == key


def test_summary_counts_like_the_results() -> None:
    with SAMPLES.open("rb") as lines:
        results = list(validate_lines(lines))
    by_hand = BulkSummary()
    for result in results:
        by_hand.add(result)
    with SAMPLES.open("rb") as lines:
        summary = summarize_lines(lines, batch_size=3)
    assert summary == by_hand
    assert summary.value_counts == Counter(
        {"on_hold": 3, "open": 2, NO_VALUE: 2, UNKNOWN_VALUE: 1, "published": 1, "pending": 1, "internal": 1,
         "closed": 1, "draft": 1, "archived": 1, "deleted": 1, "unmapped_value": 1}
    )  # fmt: skip


def test_summary_of_webhook_events() -> None:
    lines = [
        b'{"event": "ats_jobs.updated", "data": {"job_status": {"value": "On Hold"}}}',
        b'{"event": "ats_job_postings.updated", "data": {"status": {"value": "LIVE"}}}',
        b'{"event": "account.created"}',
        b"nope",
    ]
    summary = summarize_lines(lines, model=WEBHOOK_EVENT_ADAPTER)
    assert (summary.valid, summary.invalid) == (3, 1)
    assert summary.value_counts == {"on_hold": 1, "live": 1, NO_VALUE: 1}


def test_summary_keeps_at_most_max_errors() -> None:
    summary = summarize_lines([b"x"] * 50 + [b"{}"], max_errors=3)
    assert (summary.valid, summary.invalid) == (1, 50)
    assert [error.line for error in summary.errors] == [1, 2, 3]


def test_merge_adds_up_and_keeps_the_first_errors() -> None:
    shards = [[b'{"value": "open"}', b"x"], [b"y", b'{"value": "draft"}'], [b"z", b"{}"]]
    summaries = [summarize_lines(shard, first_line=1 + 2 * index, max_errors=2) for index, shard in enumerate(shards)]
    total = reduce(BulkSummary.merge, summaries)
    assert (total.valid, total.invalid) == (3, 3)
    assert total.value_counts == {"open": 1, "draft": 1, NO_VALUE: 1}
    assert [error.line for error in total.errors] == [2, 3]
    assert total == summarize_lines(itertools.chain(*shards), max_errors=2)
    assert summaries[0].valid == 1  # merge builds a new summary


# --- picklable, and unchanged in worker processes --------------------------------------------------


def test_everything_pickles() -> None:
    lines = [b'{"value": "open", "source_value": {"id": 1}}', b"{"]
    results = list(validate_lines(lines))
    assert pickle.loads(pickle.dumps(results)) == results
    summary = summarize_lines(lines)
    assert pickle.loads(pickle.dumps(summary)) == summary
    assert pickle.loads(pickle.dumps(validate_lines)) is validate_lines
    assert pickle.loads(pickle.dumps(summarize_lines)) is summarize_lines


def test_summarize_in_worker_processes() -> None:
    shards = [[b'{"value": "open"}', b"{"], [b'{"value": "On Hold"}']]
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        summaries = list(pool.map(summarize_lines, shards))
    total = reduce(BulkSummary.merge, summaries)
    assert (total.valid, total.invalid, total.value_counts) == (2, 1, {"open": 1, "on_hold": 1})


def test_frozen_results() -> None:
    [result] = validate_lines([b"{}"])
    with pytest.raises(AttributeError):
        result.line = 2  # type: ignore[misc]


@pytest.mark.parametrize("name", list(STATUS_MODELS))
@pytest.mark.parametrize("policy", ["open", "unmapped", "strict"])
def test_status_models(name: Any, policy: Any) -> None:
    model = status_model(name, policy)
    assert model.__name__.endswith("JobPostingStatus" if name == "job-posting-status" else "JobStatus")
    assert model.__name__.startswith({"open": "Job", "unmapped": "Unmapped", "strict": "Strict"}[policy])


def test_a_line_reports_at_most_max_errors_and_counts_the_rest() -> None:
    from jobstatus import MAX_ERRORS

    line = b'{"source_value": [' + b",".join([b"NaN"] * 500) + b'], "k": NaN}'
    [result] = validate_lines([line])
    assert isinstance(result, InvalidLine)
    assert len(result.errors) == MAX_ERRORS + 1
    assert result.errors[-1]["type"] == "too_many_errors"
    assert result.errors[-1]["msg"].startswith(f"{500 + 1 - MAX_ERRORS} more errors")


def test_distinct_unknown_values_do_not_grow_memory() -> None:
    from helpers import peak_and_cpu, sized

    count = sized(100_000, 200_000)
    known, _ = peak_and_cpu("", f'summarize_lines(b\'{{"value": "open"}}\' for i in range({count}))')
    distinct, _ = peak_and_cpu("", f'summarize_lines(b\'{{"value": "frozen %d"}}\' % i for i in range({count}))')
    assert distinct < known + 4_000, (distinct, known)  # KiB; before: +11 MB at 100,000 lines


def test_unknown_values_are_counted_by_folded_key_within_a_bound() -> None:
    from jobstatus.bulk import MAX_UNKNOWN_SPELLINGS

    lines = [b'{"value": "Frozen Q3"}', b'{"value": "frozen-q3"}'] + [b'{"value": "x%d"}' % i for i in range(500)]
    summary = summarize_lines(lines, batch_size=7)
    assert summary.unknown_spellings["frozen_q3"] == 2
    assert len(summary.unknown_spellings) == MAX_UNKNOWN_SPELLINGS
    assert summary.other_unknown == 502 - 2 - (MAX_UNKNOWN_SPELLINGS - 1)  # the two frozen_q3 count apart
    assert summary.value_counts["(unknown)"] == 502
    assert summary.valid == 502
    merged = summary.merge(summary)
    assert (merged.unknown_spellings["frozen_q3"], merged.other_unknown) == (4, 2 * summary.other_unknown)


@pytest.mark.parametrize("accelerator", ["", "1"])
def test_summary_keys_are_in_sorted_order_on_every_path(monkeypatch: pytest.MonkeyPatch, accelerator: str) -> None:
    # The accelerator counts screened lines before the exact path's; the order must not show it.
    monkeypatch.setenv("JOBSTATUS_NO_ACCELERATOR", accelerator)
    summary = summarize_lines(['{"value": "closed", "x": 1}', '{"value": "open"}', "{}"])
    assert list(summary.value_counts.items()) == [("(none)", 1), ("closed", 1), ("open", 1)]
    assert list(summary.merge(summarize_lines(['{"value": "draft"}'])).value_counts) == [
        "(none)",
        "closed",
        "draft",
        "open",
    ]
