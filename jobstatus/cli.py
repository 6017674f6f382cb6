"""The `jobstatus` command (also `python -m jobstatus`): validate, schema, infer, providers.

Exit status: 0 when everything is valid, 1 when some record is invalid, 2 on a usage error or
an input that cannot be read (a missing file, a directory, no permission; the other files are
still validated). Input errors never end in a traceback.

```python
import contextlib
import io
from jobstatus.cli import main

out = io.StringIO()
with contextlib.redirect_stdout(out):
    assert main(["infer", "On Hold", "--provider", "jazzhr"]) == 0
assert out.getvalue() == '{"source_value":"On Hold","value":"on_hold"}\\n'
```
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import chain
from operator import methodcaller
from pathlib import Path
from typing import IO, Any, Final, Literal, get_args

from pydantic import BaseModel, ValidationError

from . import _fast
from ._models import STATUS_MODELS, StatusModelName, status_model
from ._unified import UnknownValuePolicy
from ._values import JobPostingStatusValue, JobStatusValue, describe
from .bulk import (
    BulkSummary,
    DocumentModel,
    InvalidLine,
    LineError,
    ValidLine,
    validate_lines,
)
from .providers import UnknownProviderError, infer_status, load_provider_table, provider_ids, provider_table
from .schema import DIALECTS, MODES, packaged_schema, write_schemas

__all__ = ("EXIT_INTERRUPTED", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "build_parser", "main")

EXIT_OK: Final = 0
"""Every record is valid (an empty input included)."""
EXIT_INVALID: Final = 1
"""At least one record is invalid; the valid ones are still written."""
EXIT_USAGE: Final = 2
"""A usage error, or an input that cannot be read (a closed or unusable stdin or stdout included)."""
EXIT_INTERRUPTED: Final = 130
"""Interrupted (Ctrl-C): `validate` has printed the summary of what it had read."""

MODEL_NAMES: Final = (*STATUS_MODELS, "webhook-event", "jobs-page", "job-postings-page")
POLICIES: Final[tuple[UnknownValuePolicy, ...]] = get_args(UnknownValuePolicy)
_POLICY_HELP: Final = {
    "open": "an unknown value string is kept as it is",
    "unmapped": "an unknown value becomes unmapped_value, its text kept in source_value",
    "strict": "an unknown value is an error that lists the values",
}

_JSON_WHITESPACE: Final = b" \t\r\n"
_BOM: Final = b"\xef\xbb\xbf"
_DOCUMENT_LOC: Final = "(document)"


class _UsageError(Exception):
    """A bad combination of options, reported like argparse's own errors (exit status 2)."""


# ------------------------------------------------------------------------------------------------
# Help texts, generated from the enums
# ------------------------------------------------------------------------------------------------


def _values_help(title: str, enum: type[Enum]) -> str:
    width = max(len(str(member.value)) for member in enum)
    rows = [f"  {member.value!s:<{width}}  {describe(member)}" for member in enum]
    return "\n".join([title, *rows])


def _validate_epilog() -> str:
    return "\n\n".join(
        [
            _values_help("job status values (--model job-status):", JobStatusValue),
            _values_help("job posting status values (--model job-posting-status):", JobPostingStatusValue),
            "exit status: 0 all valid, 1 some invalid, 2 usage error or unreadable input",
        ]
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `jobstatus` command; its help lists the values of the enums.

    ```python
    from jobstatus import JobStatusValue
    from jobstatus.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["validate", "jobs.ndjson", "--policy", "strict"])
    assert (args.command, args.files, args.policy) == ("validate", ["jobs.ndjson"], "strict")
    assert all(member.value in parser.format_help() for member in JobStatusValue)
    ```
    """
    parser = argparse.ArgumentParser(
        prog="jobstatus",
        description="Validate, normalize and publish the job-status object of a unified ATS API.",
        epilog=_values_help("job status values:", JobStatusValue),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="validate documents; write them normalized as NDJSON",
        description=(
            "Validate JSON documents and write each valid one, normalized, as one line of NDJSON on "
            "stdout. Errors go to stderr as FILE:LINE: loc: type: message (or JSON with --errors json), "
            "then a summary line. NDJSON is streamed in bounded memory; a JSON array or a single "
            "document is read whole."
        ),
        epilog=_validate_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("files", nargs="*", metavar="FILE", help="input files; stdin when none or -")
    validate.add_argument(
        "--format",
        choices=("auto", "ndjson", "json"),
        default="auto",
        help="auto (default): a JSON array when the input starts with [, a single document when one "
        "JSON value spans several lines, NDJSON otherwise; json: one document or an array",
    )
    validate.add_argument(
        "--model", choices=MODEL_NAMES, default="job-status", help="what each document is (default: job-status)"
    )
    validate.add_argument(
        "--policy",
        choices=POLICIES,
        help="what an unknown status value becomes: "
        + "; ".join(f"{name}: {text}" for name, text in _POLICY_HELP.items())
        + " (default: open)",
    )
    validate.add_argument(
        "--provider",
        metavar="ID",
        help="infer a missing, null or unknown value from source_value with this provider's table "
        "(job-status only; see `jobstatus providers`)",
    )
    _add_provider_table_option(validate)
    validate.add_argument(
        "--errors", choices=("text", "json"), default="text", help="how errors are written to stderr (default: text)"
    )
    validate.add_argument("--batch-size", type=int, default=1000, metavar="N", help=argparse.SUPPRESS)
    validate.add_argument("--no-progress", action="store_true", help="never show the progress bar")

    schema = commands.add_parser(
        "schema",
        help="print or write the JSON Schemas",
        description="Print one JSON Schema, or write a selection of them (all by default) under DIR.",
    )
    schema.add_argument("--model", choices=tuple(STATUS_MODELS), help="default: job-status (all with --out)")
    schema.add_argument("--policy", choices=POLICIES, help="default: open (all with --out)")
    schema.add_argument("--dialect", choices=DIALECTS, help="default: 2020-12 (all with --out)")
    schema.add_argument("--mode", choices=MODES, help="default: validation (all with --out)")
    schema.add_argument("--out", type=Path, metavar="DIR", help="write DIR/<dialect>/<Model>.<mode>.json files")

    infer = commands.add_parser(
        "infer",
        help="infer the unified status of a provider's raw status",
        description="Print the job status inferred from RAW, read as JSON when it is valid JSON "
        '(0, true, {"id": 3}) and as a string otherwise.',
        epilog=_values_help("job status values:", JobStatusValue),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    infer.add_argument("raw", metavar="RAW")
    infer.add_argument("--provider", metavar="ID", help="a provider id, any case (default: the generic vocabulary)")
    infer.add_argument(
        "--model",
        choices=tuple(STATUS_MODELS),
        default="job-status",
        help="what RAW is the status of (default: job-status); job-posting-status reads the tables' posting values",
    )
    infer.add_argument("--string", action="store_true", help="take RAW as a string even when it is valid JSON")
    _add_provider_table_option(infer)

    listing = commands.add_parser(
        "providers",
        help="list the provider tables, or show one",
        description="List the provider ids, or show one provider's table.",
    )
    listing.add_argument("provider", nargs="?", metavar="ID")
    listing.add_argument("--json", action="store_true", help="print the table as JSON")
    _add_provider_table_option(listing)
    return parser


def _add_provider_table_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--provider-table",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="load a provider table from a .toml or .json file first (repeatable; a table with the id of "
        "a built-in one replaces it; see docs/providers.md)",
    )


def _load_provider_tables(paths: Sequence[Path], err: IO[str]) -> None:
    """Load the `--provider-table` files; a bad one is a usage error that names every problem."""
    for path in paths:
        try:
            load_provider_table(path, replace=True)
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                where = ".".join(str(part) for part in detail["loc"]) or _DOCUMENT_LOC
                err.write(f"{path}: {where}: {detail['type']}: {detail['msg']}\n")
            raise _UsageError(f"--provider-table {path}: not a valid provider table") from None
        except (OSError, ValueError) as error:
            raise _UsageError(f"--provider-table {path}: {getattr(error, 'strerror', None) or error}") from None


# ------------------------------------------------------------------------------------------------
# validate: reading the input
# ------------------------------------------------------------------------------------------------


@dataclass
class _Problem:
    """An error of the input that no record owns (an empty array element, a missing `]`)."""

    line: int
    index: int | None
    msg: str


@dataclass
class _Input:
    kind: Literal["ndjson", "document", "array"]
    lines: Iterable[bytes] = ()
    data: bytes = b""
    first_line: int = 1


def _json_state(data: bytes) -> Literal["complete", "incomplete", "invalid"]:
    """Whether `data` holds one whole JSON value, the start of one, or neither."""
    text = data.decode("utf-8", "replace").strip(" \t\r\n")
    try:
        json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as error:
        return "incomplete" if error.pos >= len(text) else "invalid"
    except RecursionError:
        return "invalid"
    return "complete"


def _reading(stream: IO[bytes], failed: list[OSError]) -> Iterator[bytes]:
    """The lines of `stream`, ending early at a read error, which is kept in `failed`: what was read
    before it is still validated, and a failing stdout (a closed pipe) is never taken for it."""
    try:
        yield from stream
    except OSError as error:
        failed.append(error)


def _read_input(stream: IO[bytes], forced: str, failed: list[OSError]) -> _Input:
    """Read enough of `stream` to tell its format; NDJSON stays a stream of lines."""
    source = _reading(stream, failed)
    head: list[bytes] = []
    for line in source:
        head.append(line.removeprefix(_BOM) if not head else line)
        if head[-1].strip(_JSON_WHITESPACE):
            break
    else:
        return _Input("ndjson", head)  # empty, or blank lines only: no record
    first_line = len(head)
    starts_array = head[-1].lstrip(_JSON_WHITESPACE).startswith(b"[")
    if forced == "ndjson":
        return _Input("ndjson", chain(head, source))
    if forced == "json" or starts_array:
        return _Input(
            "array" if starts_array else "document", data=b"".join(chain(head, source)), first_line=first_line
        )
    # One value on the first line is NDJSON. The start of a value that later lines complete is one
    # document; lines are added in doubling steps, so a long document is parsed a few times only.
    state = _json_state(head[-1])
    pending = [head[-1]]
    check_at = 2
    for line in source if state == "incomplete" else ():
        head.append(line)
        pending.append(line)
        if len(pending) == check_at:
            check_at *= 2
            state = _json_state(b"".join(pending))
            if state != "incomplete":
                break
    else:
        if state == "incomplete":  # the input ended inside the value: a truncated document
            state = "complete"
    if state == "complete" and len(pending) > 1:
        return _Input("document", data=b"".join(chain(head, source)), first_line=first_line)
    return _Input("ndjson", chain(head, source))


# Strings (possibly unterminated), and the characters that open, close and separate values.
_ARRAY_TOKEN: Final = re.compile(rb'"(?:[^"\\]++|\\.)*+"?|[\[\]{},]', re.DOTALL)


# Complexity allowed: the array scanner, one pass over the bytes.
def _split_array(data: bytes) -> tuple[list[bytes], list[int], list[_Problem]]:  # noqa: C901
    """Cut a JSON array's text into its elements' texts, with the line each starts on.

    Only strings and brackets are read, so a malformed element stays one element (and fails on
    its own) while the others are still cut out. An empty element is `b""` plus a problem.
    """
    elements: list[bytes] = []
    lines: list[int] = []
    problems: list[_Problem] = []
    position, line = 0, 1

    def line_at(offset: int) -> int:
        nonlocal position, line
        line += data.count(b"\n", position, offset)
        position = offset
        return line

    def add(start: int, end: int) -> None:
        text = data[start:end]
        content = text.lstrip(_JSON_WHITESPACE)
        lines.append(line_at(end - len(content)))
        elements.append(text if content else b"")
        if not content:
            problems.append(_Problem(lines[-1], len(elements) - 1, "Invalid JSON: empty array element"))

    opening = data.index(b"[")
    depth, start, closed_at = 1, opening + 1, None
    for match in _ARRAY_TOKEN.finditer(data, opening + 1):
        token = data[match.start() : match.start() + 1]
        if token == b'"':
            continue
        if token in b"[{":
            depth += 1
        elif token in b"]}":
            depth -= 1
            if depth == 0:
                if elements or data[start : match.start()].strip(_JSON_WHITESPACE):
                    add(start, match.start())
                closed_at = match.end()
                break
        elif depth == 1:
            add(start, match.start())
            start = match.end()
    if closed_at is None:
        if elements or data[start:].strip(_JSON_WHITESPACE):
            add(start, len(data))
            if not elements[-1]:
                problems.pop()  # a missing `]` says it better than an empty element
                elements.pop()
                lines.pop()
        problems.append(
            _Problem(line_at(len(data)), None, "Invalid JSON: EOF while parsing a list: the array has no `]`")
        )
    elif data[closed_at:].strip(_JSON_WHITESPACE):
        rest = data[closed_at:]
        offset = closed_at + len(rest) - len(rest.lstrip(_JSON_WHITESPACE))
        problems.append(_Problem(line_at(offset), None, "Invalid JSON: trailing characters after the array"))
    return elements, lines, problems


# ------------------------------------------------------------------------------------------------
# validate: reporting
# ------------------------------------------------------------------------------------------------


class _Progress:
    """A one-line progress report on stderr, for long NDJSON inputs on a terminal only.

    Nothing is drawn in the first half second, so short runs and pipes never see it.
    """

    _DELAY: Final = 0.5
    _INTERVAL: Final = 0.1
    _EVERY: Final = 1024  # lines between two looks at the clock

    def __init__(self, stream: IO[str], enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.drawn = False

    def track(self, name: str, lines: Iterable[bytes], total: int | None) -> Iterable[bytes]:
        if not self.enabled:
            return lines
        return self._track(name, lines, total)

    def _track(self, name: str, lines: Iterable[bytes], total: int | None) -> Iterator[bytes]:
        started = time.monotonic()
        next_draw = started + self._DELAY
        done = 0
        for count, line in enumerate(lines, start=1):
            done += len(line)
            if count % self._EVERY == 0 and time.monotonic() >= next_draw:
                next_draw = time.monotonic() + self._INTERVAL
                self._draw(name, done, count, total)
            yield line
        self.clear()

    def _draw(self, name: str, done: int, lines: int, total: int | None) -> None:
        if total:
            share = min(done / total, 1.0)
            bar = "#" * int(share * 30)
            text = f"{name} [{bar:<30}] {share:4.0%} {lines:,} lines"
        else:
            text = f"{name} {lines:,} lines, {done / 1e6:,.1f} MB"
        self.stream.write(f"\r{text}\x1b[K")
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False


@dataclass
class _Report:
    out: IO[str]
    err: IO[str]
    errors_as: str
    progress: _Progress
    summary: BulkSummary = field(default_factory=lambda: BulkSummary(max_errors=0))
    unreadable: int = 0

    def document(self, document: BaseModel) -> None:
        self.out.write(document.model_dump_json(exclude_unset=True))
        self.out.write("\n")

    def error(self, name: str, line: int | None, index: int | None, detail: LineError) -> None:
        self.progress.clear()
        if self.errors_as == "json":
            record = {"file": name, "line": line, "index": index, **detail, "loc": list(detail["loc"])}
            self.err.write(json.dumps(record, ensure_ascii=False) + "\n")
            return
        where = ".".join(str(part) for part in detail["loc"])
        if index is not None:
            where = f"[{index}]" + (f".{where}" if where else "")
        self.err.write(f"{name}:{line}: {where or _DOCUMENT_LOC}: {detail['type']}: {detail['msg']}\n")

    def problem(self, name: str, problem: _Problem) -> None:
        self.summary.invalid += 1
        self.error(name, problem.line, problem.index, {"loc": (), "type": "json_invalid", "msg": problem.msg})

    def cannot_read(self, name: str, error: OSError) -> None:
        self.unreadable += 1
        self.progress.clear()
        reason = error.strerror or str(error)
        if self.errors_as == "json":
            record: dict[str, Any] = {
                "file": name,
                "line": None,
                "index": None,
                "loc": [],
                "type": "file_unreadable",
                "msg": reason,
            }
            self.err.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            self.err.write(f"jobstatus validate: cannot read {name}: {reason}\n")

    def finish(self) -> int:
        summary = self.summary
        if self.unreadable and not summary.valid and not summary.invalid:
            return EXIT_USAGE  # nothing was read: the reason, already written, is the one line
        if self.errors_as == "json":
            counts = dict(sorted(summary.value_counts.items()))
            record = {"summary": {"valid": summary.valid, "invalid": summary.invalid, "value_counts": counts}}
            self.err.write(json.dumps(record) + "\n")
        else:
            counts_text = ", ".join(f"{name}={number}" for name, number in sorted(summary.value_counts.items()))
            self.err.write(
                f"{summary.valid} valid, {summary.invalid} invalid" + (f"; {counts_text}" if counts_text else "") + "\n"
            )
        if self.unreadable:
            return EXIT_USAGE
        return EXIT_INVALID if summary.invalid else EXIT_OK


def _validate_stream(
    name: str, stream: IO[bytes], args: argparse.Namespace, model: DocumentModel, report: _Report
) -> None:
    failed: list[OSError] = []
    given = _read_input(stream, args.format, failed)
    _validate_input(name, given, _size_of(stream), args, model, report)
    if failed:
        report.cannot_read(name, failed[0])


def _validate_input(
    name: str, given: _Input, total: int | None, args: argparse.Namespace, model: DocumentModel, report: _Report
) -> None:
    options: dict[str, Any] = {"model": model, "provider": args.provider, "batch_size": args.batch_size}
    if given.kind == "ndjson":
        # Without its line end, a line's JSON error points at "line 1", the line itself.
        lines = map(_strip_line_end, report.progress.track(name, given.lines, total))
        # Status models' valid lines are written and counted a batch at a time; the rest is reported.
        if _fast.writes(model):
            results = _fast.write_lines(lines, report.out.write, report.summary, **options)
        else:
            results = validate_lines(lines, **options)
        for result in results:
            _record(name, result, result.line, None, report)
        return
    if given.kind == "document":
        for result in validate_lines([given.data], **options, first_line=given.first_line):
            _record(name, result, result.line, None, report)
        return
    elements, element_lines, problems = _split_array(given.data)
    pending = iter(problems)
    problem = next(pending, None)
    for result in validate_lines(elements, **options, first_line=0):
        while problem is not None and problem.index is not None and problem.index < result.line:
            report.problem(name, problem)
            problem = next(pending, None)
        _record(name, result, element_lines[result.line], result.line, report)
    for rest in chain([problem] if problem is not None else [], pending):
        report.problem(name, rest)


_strip_line_end: Final = methodcaller("rstrip", b"\r\n")


def _record(name: str, result: ValidLine | InvalidLine, line: int, index: int | None, report: _Report) -> None:
    report.summary.add(result)
    if isinstance(result, ValidLine):
        report.document(result.document)
    else:
        for detail in result.errors:
            report.error(name, line, index, detail)


def _size_of(stream: IO[bytes]) -> int | None:
    try:
        return os.fstat(stream.fileno()).st_size or None
    except (OSError, ValueError, io.UnsupportedOperation):
        return None


def _document_model(args: argparse.Namespace) -> DocumentModel:
    if args.model in ("webhook-event", "jobs-page", "job-postings-page"):
        if args.policy is not None or args.provider is not None:
            raise _UsageError("--policy and --provider apply to job-status and job-posting-status only")
        from .webhooks import WEBHOOK_EVENT_ADAPTER, JobPostingsPage, JobsPage

        documents: dict[str, DocumentModel] = {
            "webhook-event": WEBHOOK_EVENT_ADAPTER,
            "jobs-page": JobsPage,
            "job-postings-page": JobPostingsPage,
        }
        return documents[args.model]
    model: DocumentModel = status_model(args.model, args.policy or "open")  # `args` is Any: name the type
    if args.provider is not None:
        if args.model != "job-status":
            raise _UsageError("--provider applies to --model job-status only: the tables give job status values")
        try:
            provider_table(args.provider)
        except UnknownProviderError as error:
            raise _UsageError(str(error)) from None
    return model


def _validate(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    if args.batch_size < 1:
        raise _UsageError("--batch-size must be a positive integer")
    model = _document_model(args)
    progress = _Progress(err, enabled=not args.no_progress and err.isatty())
    names = args.files or ["-"]
    if "-" in names and sys.stdin is None:
        raise _UsageError("stdin is closed: give the input as FILE")
    report = _Report(out, err, args.errors, progress)
    try:
        for name in names:
            try:
                stream = _stdin() if name == "-" else open(name, "rb")  # noqa: SIM115 - closed below
            except OSError as error:
                report.cannot_read(name, error)
                continue
            try:
                _validate_stream("<stdin>" if name == "-" else name, stream, args, model, report)
            finally:
                if name != "-":
                    stream.close()
    except KeyboardInterrupt:
        # Ctrl-C: the progress line goes, the summary of what was read stays.
        progress.clear()
        report.finish()
        return EXIT_INTERRUPTED
    progress.clear()
    return report.finish()


def _stdin() -> IO[bytes]:
    buffer: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
    return buffer if buffer is not None else io.BytesIO(sys.stdin.read().encode())


# ------------------------------------------------------------------------------------------------
# schema, infer, providers
# ------------------------------------------------------------------------------------------------


def _schema(args: argparse.Namespace, out: IO[str]) -> int:
    if args.out is None:
        model = status_model(args.model or "job-status", args.policy or "open")
        # The shipped file, as importlib.resources reads it: byte for byte what `make schema` wrote.
        out.write(packaged_schema(model, mode=args.mode or "validation", dialect=args.dialect or "2020-12"))
        return EXIT_OK
    # Each option not given means all of its kind: with none, everything, as `make schema` writes it.
    names: Sequence[StatusModelName] = [args.model] if args.model else list(STATUS_MODELS)
    policies = [args.policy] if args.policy else list(POLICIES)
    written = write_schemas(
        args.out,
        models=[STATUS_MODELS[name][policy] for name in names for policy in policies],
        dialects=[args.dialect] if args.dialect else DIALECTS,
        modes=[args.mode] if args.mode else MODES,
    )
    out.writelines(f"{path}\n" for path in written)
    return EXIT_OK


def _infer(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    raw: Any = args.raw
    if not args.string:
        try:
            raw = json.loads(args.raw)
        except (ValueError, RecursionError):
            raw = args.raw  # not JSON: the raw status is this string
    try:
        status = infer_status(raw, args.provider, model=status_model(args.model))
    except UnknownProviderError as error:
        raise _UsageError(str(error)) from None
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            where = ".".join(str(part) for part in detail["loc"]) or _DOCUMENT_LOC
            err.write(f"RAW: {where}: {detail['type']}: {detail['msg']}\n")
        return EXIT_INVALID
    out.write(status.model_dump_json() + "\n")
    return EXIT_OK


def _providers(args: argparse.Namespace, out: IO[str]) -> int:
    if args.provider is None:
        tables = [provider_table(provider) for provider in provider_ids()]
        if args.json:
            out.write(json.dumps({table.id: table.name for table in tables}, indent=2, ensure_ascii=False) + "\n")
            return EXIT_OK
        width = max(len(table.id) for table in tables)
        out.writelines(f"{table.id:<{width}}  {table.name}: {table.field}\n" for table in tables)
        return EXIT_OK
    try:
        table = provider_table(args.provider)
    except UnknownProviderError as error:
        raise _UsageError(str(error)) from None
    if args.json:
        out.write(json.dumps(table.model_dump(mode="json", exclude_none=True), indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    lines = [f"{table.id}: {table.name}", f"field: {table.field}"]
    if table.extends:
        lines.append(f"extends: {table.extends}")
    if table.statuses:
        width = max(len(json.dumps(entry.raw, ensure_ascii=False)) for entry in table.statuses)
        lines.append("statuses:")
        lines.extend(
            f"  {json.dumps(entry.raw, ensure_ascii=False):<{width}} -> {entry.value.value}" for entry in table.statuses
        )
    if table.rules:
        lines.append("object rules (first match wins):")
        lines.extend(f"  {json.dumps(rule.when, ensure_ascii=False)} -> {rule.value.value}" for rule in table.rules)
    if table.keys:
        lines.append("object keys: " + ", ".join(table.keys))
    lines.append("sources:")
    lines.extend(
        f"  {source.title} ({source.kind})" + (f" {source.url}" if source.url else "")
        for source in table.sources.values()
    )
    out.write("\n".join(lines) + "\n")
    return EXIT_OK


# ------------------------------------------------------------------------------------------------
# main
# ------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `jobstatus` command with `argv` (default: the process arguments); return its exit status.

    ```python
    import contextlib
    import io
    from jobstatus.cli import EXIT_USAGE, main

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["providers", "greenhose"]) == EXIT_USAGE
    assert "did you mean 'greenhouse'?" in err.getvalue()
    ```
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed its message
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    if sys.stdout is None:  # started with stdout closed: nobody reads, as with a closed pipe
        return EXIT_INVALID
    out, err = _utf8(sys.stdout), _utf8(sys.stderr) if sys.stderr is not None else io.StringIO()
    try:
        _load_provider_tables(getattr(args, "provider_table", ()), err)
        if args.command == "validate":
            return _validate(args, out, err)
        if args.command == "schema":
            return _schema(args, out)
        if args.command == "infer":
            return _infer(args, out, err)
        return _providers(args, out)
    except _UsageError as error:
        err.write(f"jobstatus {args.command}: error: {error}\n")
        return EXIT_USAGE
    except OSError as error:
        if isinstance(error, BrokenPipeError):
            _silence_stdout()  # the reader left (`| head`): stop quietly
            return EXIT_INVALID
        _silence_stdout()  # an unusable stdout would fail again in the flush at exit
        err.write(f"jobstatus {args.command}: {error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _utf8(stream: IO[str]) -> IO[str]:
    """`stream`, writing UTF-8 whatever the locale (a cp1252 console, `LC_ALL=C`): the output is JSON,
    which is UTF-8, and `validate` reads it back as such. Other streams (a `StringIO`) are kept."""
    if isinstance(stream, io.TextIOWrapper) and stream.encoding.replace("-", "").lower() != "utf8":
        stream.reconfigure(encoding="utf-8")
    return stream


def _silence_stdout() -> None:
    # Python flushes stdout at exit; pointing it at devnull keeps that flush from failing again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
