"""The accelerator's differential target: the accelerated path and the exact path give the same
results for any input, line by line.

`fast_target(data)` splits `data` into lines and compares, for every status model and policy (and
a provider), `validate_lines` (each document's fields, fields set, extras and dump; each error's
`loc`, `type`, `msg` and line), `summarize_lines`, and the text `jobstatus validate` writes to
stdout and stderr, at several batch sizes, with the lines as `bytes` and as `str`. It raises
`AssertionError` on the first difference. `fuzz/fuzz_fast.py` runs it under atheris;
`tests/test_fast.py` runs it over a generated, mutated corpus.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from jobstatus import STATUS_MODELS, _fast
from jobstatus._fast import DISABLE_VARIABLE, accelerated
from jobstatus.bulk import InvalidLine, LineResult, summarize_lines, validate_lines
from jobstatus.cli import main

from .targets import same_json

MODELS = [model for policies in STATUS_MODELS.values() for model in policies.values()]
RUNS: list[tuple[type[Any], str | None]] = [(model, provider) for provider in (None, "workday") for model in MODELS]
"""Every model and policy, without a provider and with one."""
CLI_RUNS = [
    (name, policy, provider)
    for name, policies in STATUS_MODELS.items()
    for policy in policies
    for provider in (None, "workday")
]
BATCH_SIZES = (1000, 7, 1)


@contextlib.contextmanager
def exact_path() -> Iterator[None]:
    """Turn the accelerator off for the duration (the variable users set to compare)."""
    before = os.environ.get(DISABLE_VARIABLE)
    os.environ[DISABLE_VARIABLE] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[DISABLE_VARIABLE]
        else:
            os.environ[DISABLE_VARIABLE] = before


def assert_same_result(fast: LineResult, exact: LineResult) -> None:
    assert type(fast) is type(exact), (fast, exact)
    assert fast.line == exact.line, (fast, exact)
    if isinstance(fast, InvalidLine):
        assert isinstance(exact, InvalidLine)
        assert fast.errors == exact.errors, (fast, exact)
        return
    assert not isinstance(exact, InvalidLine)
    got, expected = fast.document, exact.document
    assert type(got) is type(expected), (got, expected)
    assert list(got.__dict__) == list(expected.__dict__), (got.__dict__, expected.__dict__)
    for key, value in expected.__dict__.items():
        # Members are the same object; kept strings, numbers and containers the same kind and value.
        assert same_json(got.__dict__[key], value), (key, got, expected)
    assert got.__dict__["__pydantic_extra__"] is got.__pydantic_extra__
    assert got.__pydantic_fields_set__ == expected.__pydantic_fields_set__, (got, expected)
    assert got.__pydantic_extra__ == expected.__pydantic_extra__
    assert got.__pydantic_private__ == expected.__pydantic_private__
    assert got.model_dump_json(exclude_unset=True) == expected.model_dump_json(exclude_unset=True)
    assert got.model_dump_json() == expected.model_dump_json()
    assert got == expected
    assert _hash(got) == _hash(expected)


def _hash(document: Any) -> int | type[Exception]:
    try:
        return hash(document)
    except TypeError:  # a container in source_value
        return TypeError


def compare_lines(
    lines: Sequence[bytes | str],
    batch_sizes: Sequence[int] = BATCH_SIZES,
    runs: Sequence[tuple[type[Any], str | None]] = RUNS,
) -> None:
    """`validate_lines` and `summarize_lines`, accelerated at each batch size and exact, for every
    run in `RUNS` (the exact path's own batching is tested in tests/test_bulk.py)."""
    for model, provider in runs:
        assert accelerated(model)
        options: dict[str, Any] = {"model": model, "provider": provider}
        with exact_path():
            assert not accelerated(model)
            exact = list(validate_lines(lines, **options))
            exact_summary = summarize_lines(lines, **options, max_errors=len(lines))
        for batch_size in batch_sizes:
            fast = list(validate_lines(lines, **options, batch_size=batch_size))
            assert len(fast) == len(exact), (model, provider, batch_size)
            for got, expected in zip(fast, exact, strict=True):
                assert_same_result(got, expected)
            fast_summary = summarize_lines(lines, **options, batch_size=batch_size, max_errors=len(lines))
            assert fast_summary == exact_summary, (model, provider, batch_size)
            # and in the same order (Counter's == ignores it; iteration and most_common do not)
            for counts in ("value_counts", "unknown_spellings"):
                fast_order, exact_order = list(getattr(fast_summary, counts)), list(getattr(exact_summary, counts))
                assert fast_order == exact_order, (model, provider, batch_size, counts)


def run_cli(data: bytes, argv: Sequence[str]) -> tuple[int, str, str]:
    """`jobstatus validate ARGV` reading `data` on stdin, in process: its exit status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data))
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["validate", "--no-progress", *argv])
    finally:
        sys.stdin = stdin
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def per_document_path() -> Iterator[None]:
    """`jobstatus validate` as it was before `_fast.write_lines`: each result from `validate_lines`,
    each document written by its own `model_dump_json` (the reference of both writers)."""
    writes = _fast.writes
    _fast.writes = lambda model: False  # type: ignore[assignment]
    try:
        with exact_path():
            yield
    finally:
        _fast.writes = writes


def compare_cli(data: bytes, batch_sizes: Sequence[int] = (1000, 7)) -> None:
    """`jobstatus validate --format ndjson`, accelerated, exact (without msgspec) and per document:
    the same stdout, stderr and status."""
    for name, policy, provider in CLI_RUNS:
        for batch_size in batch_sizes:
            argv = ["--format", "ndjson", "--model", name, "--policy", policy, "--batch-size", str(batch_size)]
            argv += ["--errors", "json"] if batch_size % 2 else []
            argv += ["--provider", provider] if provider else []
            fast = run_cli(data, argv)
            with exact_path():
                exact = run_cli(data, argv)
            with per_document_path():
                reference = run_cli(data, argv)
            assert fast == reference, (argv, fast, reference)
            assert exact == reference, (argv, exact, reference)


def fast_target(data: bytes) -> None:
    lines = data.splitlines(keepends=True)
    compare_lines(lines, batch_sizes=(1000, 3))
    # As text: invalid UTF-8 becomes lone surrogates, which both paths must refuse alike.
    # (without a provider: `validate_with_provider` raises TypeError on such a str, exact path included)
    text = [line.decode("utf-8", "surrogateescape") for line in lines]
    compare_lines(text, batch_sizes=(1000,), runs=[run for run in RUNS if run[1] is None])
    compare_cli(data, batch_sizes=(1000, 3))
