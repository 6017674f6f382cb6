"""Fuzz targets of the command line's reader and of the bulk path, as plain functions: the atheris
harnesses (`fuzz_reader.py`, `fuzz_bulk.py`) call them, and `tests/test_fuzz.py` replays their seeds
and past crashes. Each raises `AssertionError` (or lets an unexpected exception escape) when a
promise breaks:

- `reader_target`: reading any bytes, in any format, never raises; every text lies where the
  reader says (its line, its column in the file's bytes, a byte order mark counted, within the
  input); in a stream, the texts hold every non-whitespace byte of the input once, in order; the
  fast judgement of whole blocks and the block size change nothing; a valid JSON value read as a
  stream is one text, and a valid array one text per element, each parsing to what the whole
  input holds.
- `bulk_target`: `validate_lines` gives, for each non-blank line, what `model_validate_json` of that
  line alone gives (the same document, or the same errors), and `summarize_lines` counts the same.
"""

from __future__ import annotations

import io
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import from_json, to_json

from jobstatus import JobPostingStatus, JobStatus, StrictJobStatus, UnmappedJobStatus
from jobstatus._errors import MAX_ERRORS, TOO_MANY_ERRORS
from jobstatus._reader import FORMATS, Item, Lines, Problem, Reader, Record
from jobstatus.bulk import InvalidLine, ValidLine, summarize_lines, validate_lines, value_key
from jobstatus.webhooks import WEBHOOK_EVENT_ADAPTER

_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"


def _read(data: bytes, form: Any, block_size: int = 1 << 18, *, judge_blocks: bool = True) -> list[Item]:
    reader = Reader(io.BytesIO(data), form, block_size, judge_blocks=judge_blocks)
    items = list(reader)
    assert reader.error is None
    return items


def _texts(items: list[Item]) -> list[tuple[int, int, bytes, int | None]]:
    """Every text as (line, column of its first non-whitespace byte, text stripped, index)."""
    texts = []
    for item in items:
        if isinstance(item, Lines):
            for offset, line in enumerate(item.lines):
                content = line.strip(_WHITESPACE)
                if content:
                    column = len(line) - len(line.lstrip(_WHITESPACE))
                    texts.append((item.first_line + offset, column, content, None))
        elif isinstance(item, Record):
            content = item.text.lstrip(_WHITESPACE)
            lead = item.text[: len(item.text) - len(content)]
            line = item.line + lead.count(b"\n")
            column = item.column + len(lead) if b"\n" not in lead else len(lead) - lead.rfind(b"\n") - 1
            texts.append((line, column, content.rstrip(_WHITESPACE), item.index))
    return texts


def _parsed(text: bytes) -> Any:
    try:
        return to_json(from_json(text))
    except ValueError:
        return None


def reader_target(data: bytes) -> None:
    lines = data.removeprefix(_BOM).replace(b"\r\n", b"\n").split(b"\n")
    in_file = data.replace(b"\r\n", b"\n").split(b"\n")  # columns are the file's: a byte order mark counts
    starts_array = data.removeprefix(_BOM).lstrip(_WHITESPACE).startswith(b"[")
    for form in FORMATS:
        items = _read(data, form)
        texts = _texts(items)
        for line, column, text, _ in texts:
            assert 1 <= line <= len(lines), (form, line, len(lines))
            assert in_file[line - 1][column:].startswith(text.split(b"\n", 1)[0]), (form, line, column, text)
        for item in items:
            if isinstance(item, Problem):
                assert 1 <= item.line <= len(lines)
                assert 0 <= item.column <= len(in_file[item.line - 1]) + 1
        if form in ("stream", "ndjson") or (form == "auto" and not starts_array):
            # Split, then joined again: every byte that is not whitespace, once and in order.
            joined = b"".join(text for _, _, text, _ in texts)
            assert joined.translate(None, _WHITESPACE) == b"".join(lines).translate(None, _WHITESPACE), form
        if form in ("auto", "stream"):
            assert _texts(_read(data, form, judge_blocks=False)) == texts, "the fast judgement changed the texts"
            assert _texts(_read(data, form, block_size=7)) == texts, "the block size changed the texts"
    whole = _parsed(data.removeprefix(_BOM))
    if whole is None:
        return
    value = from_json(data.removeprefix(_BOM))
    texts = _texts(_read(data, "stream"))
    assert [_parsed(text) for *_, text, _ in texts] == [whole], "a valid value is one text"
    if isinstance(value, list):
        elements = _texts(_read(data, "auto"))
        assert [_parsed(text) for *_, text, _ in elements] == [to_json(element) for element in value]


_MODELS: tuple[type[BaseModel] | TypeAdapter[Any], ...] = (
    JobStatus,
    StrictJobStatus,
    UnmappedJobStatus,
    JobPostingStatus,
    WEBHOOK_EVENT_ADAPTER,
)


def _alone(model: type[BaseModel] | TypeAdapter[Any], line: bytes) -> BaseModel | list[Any]:
    try:
        if isinstance(model, TypeAdapter):
            document: BaseModel = model.validate_json(line)
        else:
            document = model.model_validate_json(line)
    except ValidationError as error:
        return [(detail["loc"], detail["type"], detail["msg"]) for detail in error.errors(include_url=False)]
    return document


def bulk_target(data: bytes) -> None:
    """Input layout: one flag byte (bits 0-2: the model, 3-4: the batch size less one), then NDJSON."""
    flags = data[0] if data else 0
    model = _MODELS[(flags & 0b111) % len(_MODELS)]
    batch_size = ((flags >> 3) & 0b11) + 1
    lines = data[1:].split(b"\n")
    results = list(validate_lines(lines, model=model, batch_size=batch_size))
    expected = [(number, line) for number, line in enumerate(lines, start=1) if line.strip(_WHITESPACE)]
    assert [result.line for result in results] == [number for number, _ in expected]
    for result, (_, line) in zip(results, expected, strict=True):
        alone = _alone(model, line)
        if isinstance(result, ValidLine):
            assert isinstance(alone, BaseModel), (line, alone)
            assert result.document.model_dump_json() == alone.model_dump_json()
        else:
            assert isinstance(result, InvalidLine), line
            assert isinstance(alone, list), (line, result)
            got = [(error["loc"], error["type"], error["msg"]) for error in result.errors]
            if len(alone) > MAX_ERRORS:
                assert got[:-1] == alone[:MAX_ERRORS]
                assert got[-1][1] == TOO_MANY_ERRORS
            else:
                assert got == alone
    summary = summarize_lines(lines, model=model, batch_size=batch_size, max_errors=len(lines))
    valid = [result for result in results if isinstance(result, ValidLine)]
    assert (summary.valid, summary.invalid) == (len(valid), len(results) - len(valid))
    counts: dict[str, int] = {}
    for result in valid:
        counts[value_key(result.document)] = counts.get(value_key(result.document), 0) + 1
    assert dict(summary.value_counts) == counts
    assert [error.line for error in summary.errors] == [r.line for r in results if isinstance(r, InvalidLine)]
