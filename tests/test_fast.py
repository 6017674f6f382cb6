"""The accelerator (`jobstatus._fast`, the `fast` extra): exactly the exact path's results, faster.

The differential tests run a generated corpus and its mutations (byte flips, truncations, duplicate
keys, float and integer edge cases, nesting at both limits, surrogates, BOMs, CRLF) through the
accelerated and the exact path and compare every result (`fuzz/fast_target.py`). `make test` runs
`CORPUS` lines; `make fast-corpus` runs `JOBSTATUS_FAST_CORPUS` (200,000 by default).
"""

from __future__ import annotations

import json
import os
import random
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from fuzz.fast_target import MODELS, RUNS, compare_cli, compare_lines, exact_path, fast_target, run_cli
from jobstatus import JobPostingStatus, JobStatus, JobStatusValue, StrictJobStatus, UnmappedJobStatus, _fast, bulk
from jobstatus.bulk import _chunks, summarize_lines, validate_lines
from jobstatus.webhooks import WEBHOOK_EVENT_ADAPTER, JobsPage

CORPUS = int(os.environ.get("JOBSTATUS_FAST_CORPUS", "600"))

SPELLINGS = [
    "open",
    "On Hold",
    "onHold",
    " CLOSED ",
    "on-hold",
    "unmapped_value",
    "Frozen",
    "draft",
    "",
    "Ὀδυσσεύς",
    "x" * 300,
]
FLOATS = [
    "0.0",
    "-0.0",
    "1.5",
    "1e16",
    "1E+2",
    "1e-7",
    "5e-324",
    "2.2250738585072011e-308",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "1e400",
    "-1e400",
    "1.5e-400",
    "0.1",
    "123456789.123456789",
    "1e22",
    "9007199254740993.0",
    "NaN",
    "Infinity",
    "-Infinity",
    "1.",
    ".5",
    "01.5",
    "1e",
    "-",
]
INTEGERS = [
    "0",
    "-0",
    "1",
    "-1",
    str(2**63 - 1),
    str(2**63),
    str(-(2**63)),
    str(-(2**63) - 1),
    str(2**64),
    "9" * 4300,
    "-" + "9" * 4300,
    "9" * 4301,
    "1" + "0" * 40,
    "007",
]


def nested(depth: int, leaf: str = "1") -> str:
    text = leaf
    for level in range(depth):
        text = f"[{text}]" if level % 2 else f'{{"k":{text}}}'
    return text


def base_documents(rng: random.Random) -> Iterator[str]:
    """Valid and nearly valid documents of every shape the Struct takes or refuses."""
    while True:
        roll = rng.random()
        value = json.dumps(rng.choice(SPELLINGS), ensure_ascii=rng.random() < 0.5)
        if roll < 0.3:
            source = json.dumps(rng.choice(SPELLINGS[:8]))
        elif roll < 0.45:
            source = rng.choice(FLOATS)
        elif roll < 0.55:
            source = rng.choice(INTEGERS)
        elif roll < 0.65:
            source = nested(
                rng.choice([1, 2, 3, 4, 5, 127, 128, 129, 200, 300]), rng.choice(["1", "2.5", '"s"', "null"])
            )
        elif roll < 0.72:
            source = rng.choice(
                ['"\\ud800"', '"\\udc00x"', '"\\ud83d\\ude00"', '"\\u0000"', '"a\\"b\\\\c\\/"', '"\\t\\n\\u2028"']
            )
        elif roll < 0.78:
            source = rng.choice(["true", "false", "null", "{}", "[]", '{"a":1,"a":2}', '[1,"a",{"b":[null]}]'])
        else:
            source = ""
        fields = []
        if rng.random() < 0.8:
            fields.append(f'"value":{rng.choice([value] * 8 + ["null", "5", "true", "[]"])}')
        if source:
            fields.append(f'"source_value":{source}')
        if rng.random() < 0.05:
            fields.append(f'"extra":{rng.choice(["1", "1e400", nested(3)])}')
        if rng.random() < 0.05:
            fields.append(rng.choice(fields or ['"value":"open"']))  # a duplicate key
        if rng.random() < 0.05:
            fields.insert(0, '"value":5')  # a duplicate whose first is invalid
        rng.shuffle(fields)
        separator = rng.choice([",", ", ", " ,\t"])
        yield "{" + separator.join(fields) + "}"


def mutate(rng: random.Random, line: bytes) -> bytes:
    roll = rng.random()
    if roll < 0.6 or not line:
        return line
    if roll < 0.7:
        data = bytearray(line)
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if roll < 0.75:
        return line[: rng.randrange(len(line))]
    if roll < 0.78:
        return b"\xef\xbb\xbf" + line
    if roll < 0.84:
        return rng.choice([b" ", b"\t", b"\x0c", b"\r", b"\xc2\xa0"]) + line + rng.choice([b"", b" ", b"\r", b"\x0c"])
    if roll < 0.87:
        return line.replace(b'"', b"'", 1)
    if roll < 0.90:
        return b"\xed\xa0\x80".join([line[:-1], line[-1:]])  # an encoded lone surrogate
    if roll < 0.95:
        return rng.choice([b"", b"   ", b"null", b"[]", b'"open"', b"{}{}", b"{},{}"])
    return line + rng.choice([b"{}", b",", b"]"])


def corpus(size: int, seed: int = 14) -> list[bytes]:
    rng = random.Random(seed)
    documents = base_documents(rng)
    ends = [b"\n"] * 8 + [b"\r\n", b""]
    return [mutate(rng, next(documents).encode()) + rng.choice(ends) for _ in range(size)]


# ------------------------------------------------------------------------------------------------
# Identity
# ------------------------------------------------------------------------------------------------


def test_the_corpus_takes_both_paths() -> None:
    """The corpus is a real test of both paths: most lines are accepted, many refused."""
    lines = corpus(CORPUS)
    decode = _fast._decoder()
    accepted = sum(1 for line in lines if _decode_or_none(decode, line) is not None)
    assert 0.3 * len(lines) < accepted < 0.8 * len(lines)


def _decode_or_none(decode: Any, line: bytes) -> Any:
    try:
        return decode(line)
    except Exception:
        return None


THOROUGH = "JOBSTATUS_FAST_CORPUS" in os.environ
QUICK_RUNS = (
    RUNS
    if THOROUGH
    else [(model, None) for model in MODELS] + [(UnmappedJobStatus, "workday"), (JobPostingStatus, "workday")]
)


def test_validate_and_summarize_lines_are_identical_on_the_corpus() -> None:
    lines = corpus(CORPUS)
    compare_lines(lines, batch_sizes=(1000, 7, 1), runs=QUICK_RUNS)
    text = [line.decode("utf-8", "surrogateescape") for line in lines[: CORPUS // 4]]
    # Without a provider: `validate_with_provider` raises TypeError on a str holding a lone
    # surrogate (from_json refuses it), on the exact path as well.
    compare_lines(text, batch_sizes=(1000, 7), runs=[run for run in QUICK_RUNS if run[1] is None])


def test_the_command_line_is_byte_identical_on_the_corpus() -> None:
    compare_cli(b"".join(line if line.endswith(b"\n") else line + b"\n" for line in corpus(CORPUS // 2, seed=3)))


def test_the_fuzz_target_on_a_mixed_input() -> None:
    fast_target(b"".join(corpus(100, seed=5)))


@pytest.mark.parametrize("limit", [640, 4299, 4301, 0])
def test_integer_digit_limit_changes_change_nothing(limit: int) -> None:
    lines = [
        f'{{"source_value":{digits}}}\n'.encode()
        for digits in ("9" * 639, "9" * 700, "9" * 4300, "9" * 4301, "-" + "9" * 5000)
    ]
    lines += [f'{{"source_value":[{2**63}, {-(2**63) - 1}, {2**63 - 1}]}}\n'.encode()]
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(limit)
    try:
        compare_lines(lines, batch_sizes=(1000,))
        compare_cli(b"".join(lines), batch_sizes=(1000,))
    finally:
        sys.set_int_max_str_digits(before)


# ------------------------------------------------------------------------------------------------
# When it runs, and what it takes
# ------------------------------------------------------------------------------------------------


def _refusing(line: Any) -> Any:
    raise AssertionError(f"the exact path was asked for {line!r}")


TAKEN = [
    b'{"value": "On Hold", "source_value": "On Hold"}',
    b'{"value": "open"}',
    b'{"source_value": {"id": 3, "name": [1, 2.5, null, true]}}',
    b"{}",
    b'{"value": null, "source_value": -0.0}',
]


@pytest.mark.parametrize("model", [JobStatus, UnmappedJobStatus, StrictJobStatus])
def test_plain_lines_never_reach_the_exact_path(model: type[Any]) -> None:
    results = list(_fast.validate_lines(_refusing, _chunks(TAKEN, 2, 1), model, None))
    assert [result.line for result in results] == [1, 2, 3, 4, 5]
    summary = validate_lines(TAKEN, model=model)
    assert [result.document for result in summary] == [result.document for result in results]


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (b'{"value": "open", "other": 1}', "an unknown key"),
        (b'{"source_value": [[[[1]]]]}', "deeper than FAST_DEPTH"),
        (b'{"source_value": NaN}', "not JSON to msgspec"),
        (b'{"source_value": 1e400}', "not finite"),
        (b'{"source_value": "\\ud800"}', "a lone surrogate"),
        (b'{"value": 5}', "not a string"),
        (b"\xef\xbb\xbf{}", "a BOM"),
        (b"   ", "blank"),
    ],
)
def test_what_the_struct_refuses_goes_to_the_exact_path(line: bytes, why: str) -> None:
    seen: list[Any] = []
    list(_fast.validate_lines(seen.append, _chunks([line], 10, 1), JobStatus, None))
    assert seen == [line], why


def test_unknown_strict_values_go_to_the_exact_path() -> None:
    seen: list[Any] = []
    list(
        _fast.validate_lines(
            seen.append, _chunks([b'{"value": "nope"}', b'{"value": "open"}'], 10, 1), StrictJobStatus, None
        )
    )
    assert seen == [b'{"value": "nope"}']


def test_the_environment_variable_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _fast.accelerated(JobStatus)
    for off in ("1", "yes"):
        monkeypatch.setenv(_fast.DISABLE_VARIABLE, off)
        assert not _fast.accelerated(JobStatus)
    monkeypatch.setenv(_fast.DISABLE_VARIABLE, "0")
    assert _fast.accelerated(JobStatus)
    with exact_path():
        assert not _fast.fast_available()


@pytest.mark.parametrize("model", [WEBHOOK_EVENT_ADAPTER, JobsPage, type("Sub", (JobStatus,), {})])
def test_other_models_take_the_exact_path(model: Any) -> None:
    assert not _fast.accelerated(model)


def test_remembered_strings_are_bounded() -> None:
    lines = [f'{{"value": "v{number}", "source_value": "s{number}"}}\n' for number in range(_fast._REMEMBERED + 50)]
    lines.append('{"value": "' + "long" * 100 + '"}')
    summary = summarize_lines(lines, model=JobStatus)
    assert summary.value_counts == {"(unknown)": len(lines)}
    [long] = validate_lines(lines[-1:])
    assert long.document.value == "long" * 100  # type: ignore[union-attr]
    code, out, _ = run_cli("".join(lines).encode(), [])
    assert code == 0
    assert out.count("\n") == len(lines)
    plan = _fast._plan(JobStatus, None)
    assert max(len(plan.resolved), len(plan.source_texts), len(plan.value_texts)) <= _fast._REMEMBERED


def test_an_unmapped_value_moves_into_a_missing_source_value() -> None:
    lines = [
        b'{"value": "Frozen"}',
        b'{"value": "Frozen", "source_value": null}',
        b'{"value": "Frozen", "source_value": 3}',
    ]
    results = [result.document for result in validate_lines(lines, model=UnmappedJobStatus)]
    assert [(doc.value, doc.source_value) for doc in results] == [(JobStatusValue.UNMAPPED_VALUE, "Frozen")] * 2 + [
        (JobStatusValue.UNMAPPED_VALUE, 3)
    ]
    _, out, _ = run_cli(b"\n".join(lines), ["--policy", "unmapped"])
    assert out.splitlines() == [
        '{"source_value":"Frozen","value":"unmapped_value"}',
        '{"source_value":"Frozen","value":"unmapped_value"}',
        '{"source_value":3,"value":"unmapped_value"}',
    ]


def test_the_status_keys_are_the_bulk_ones() -> None:
    assert (_fast._NO_VALUE, _fast._UNKNOWN_VALUE) == (bulk.NO_VALUE, bulk.UNKNOWN_VALUE)


def test_unknown_spellings_past_the_bound_are_counted_as_the_exact_path_counts_them() -> None:
    """More distinct unknown values than a summary counts apart, some on lines the Struct refuses
    (another key), so both paths' first appearances decide which are kept apart."""
    lines = []
    for number in range(3 * bulk.MAX_UNKNOWN_SPELLINGS):
        extra = ', "other": 1' if number % 3 == 0 else ""
        lines.append(f'{{"value": "frozen {number % 250}"{extra}}}\n')
    compare_lines(lines, batch_sizes=(1000, 7, 1), runs=[(JobStatus, None), (JobStatus, "workday")])
    summary = summarize_lines(lines)
    assert summary.other_unknown > 0
    assert len(summary.unknown_spellings) == bulk.MAX_UNKNOWN_SPELLINGS
