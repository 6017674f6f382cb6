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
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import chain
from pathlib import Path
from typing import IO, Any, Final, get_args

from pydantic import BaseModel, ValidationError

from . import _fast
from ._models import STATUS_MODELS, StatusModelName, status_model
from ._reader import FORMATS, Item, Lines, Problem, Reader, Record, relocate
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
from .schema import DIALECTS, MODES, packaged_schema, write_schemas
from .version import VERSION

__all__ = ("EXIT_INTERRUPTED", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "build_parser", "format_loc", "main")

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
    parser.add_argument("--version", action="version", version=f"jobstatus {VERSION}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="validate documents; write them normalized as NDJSON",
        description=(
            "Validate JSON documents and write each valid one, normalized, as one line of NDJSON on "
            "stdout. Errors go to stderr as FILE:LINE: loc: type: message (or JSON with --errors json), "
            "then a summary line. Input is streamed: memory holds one document (one array element) "
            "at a time."
        ),
        epilog=_validate_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("files", nargs="*", metavar="FILE", help="input files; stdin when none or -")
    validate.add_argument(
        "--format",
        choices=FORMATS,
        default="auto",
        help="auto (default): a JSON array when the input starts with [, a stream of JSON values otherwise "
        "(NDJSON, pretty-printed or concatenated); stream: a stream even when it starts with [; ndjson: "
        "each line is one document; json: the whole input is one document (or an array)",
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
        "(job-status and job-posting-status; see `jobstatus providers`)",
    )
    _add_provider_table_option(validate)
    validate.add_argument(
        "--errors", choices=("text", "json"), default="text", help="how errors are written to stderr (default: text)"
    )
    validate.add_argument("--batch-size", type=int, default=1000, metavar="N", help=argparse.SUPPRESS)
    validate.add_argument("--no-progress", action="store_true", help="never show the progress bar")
    validate.add_argument(
        "--max-errors",
        type=int,
        metavar="N",
        help="write at most N errors; the others are counted, and the summary says how many were not shown",
    )
    validate.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="write no record errors and no summary: the exit status tells; usage errors and unreadable "
        "inputs are still written",
    )
    validate.add_argument(
        "-H",
        "--with-filename",
        action="store_true",
        help='write each valid document as {"file": FILE, "line": LINE, "index": INDEX, "document": {...}}',
    )

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
    if not paths:
        return
    from .providers import load_provider_table  # the tables are loaded only by the commands that read them

    for path in paths:
        try:
            load_provider_table(path, replace=True)
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                # A table's loc may be a syntax error's place (`line 3`, `column 1`): joined as it was.
                where = ".".join(str(part) for part in detail["loc"]) or _DOCUMENT_LOC
                err.write(f"{path}: {where}: {detail['type']}: {detail['msg']}\n")
            raise _UsageError(f"--provider-table {path}: not a valid provider table") from None
        except (OSError, ValueError) as error:
            raise _UsageError(f"--provider-table {path}: {getattr(error, 'strerror', None) or error}") from None


# ------------------------------------------------------------------------------------------------
# validate: from the reader's texts to numbered slots, and back to places in the file
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a text starts in its file: its line, the bytes before it on that line, its array index."""

    line: int
    column: int = 0
    index: int | None = None


class _Slots:
    """Numbers the reader's texts 1, 2, ... as `validate_lines` does, and finds each one's place.

    A `Lines` run is one entry for all its lines; a `Record` one entry. Results come back in order
    and at most a batch behind what was read, so entries further behind are dropped.
    """

    def __init__(self, lag: int) -> None:
        self.lag = lag
        self.entries: deque[tuple[int, int, Lines | Record]] = deque()  # (first slot, last slot, item)
        self.problems: list[Problem] = []

    def texts(self, items: Iterable[Item]) -> Iterator[bytes]:
        return chain.from_iterable(self._runs(items))

    def _runs(self, items: Iterable[Item]) -> Iterator[list[bytes]]:
        entries = self.entries
        slot = 1
        for item in items:
            if isinstance(item, Problem):
                self.problems.append(item)  # an array's frame: only ever at its end
                continue
            texts = item.lines if isinstance(item, Lines) else [item.text]
            entries.append((slot, slot + len(texts) - 1, item))
            while entries[0][1] < slot - self.lag:
                entries.popleft()
            slot += len(texts)
            yield texts

    def place(self, slot: int) -> _Place:
        entries = self.entries
        while entries[0][1] < slot:
            entries.popleft()
        first, _, item = entries[0]
        if isinstance(item, Lines):
            return _Place(item.first_line + slot - first)
        return _Place(item.line, item.column, item.index)


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


def format_loc(loc: Sequence[int | str], index: int | None = None) -> str:
    """`loc` as a path that reads one way only: `.name` for a key that is an identifier, `["key"]`
    (a JSON string) for any other key, `[i]` for a list index; `index`, an array element's, first.

    ```python
    from jobstatus.cli import format_loc

    assert format_loc(("data", 1, "job_status", "value")) == "data[1].job_status.value"
    assert format_loc(("a.b", "0", 0, "kind name")) == '["a.b"]["0"][0]["kind name"]'
    assert format_loc(("value",), index=4) == "[4].value"
    assert format_loc(()) == ""
    ```
    """
    parts = [] if index is None else [f"[{index}]"]
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif _IDENTIFIER.fullmatch(part):
            parts.append(f".{part}")
        else:
            parts.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(parts).removeprefix(".")


_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class _Report:
    out: IO[str]
    err: IO[str]
    errors_as: str
    progress: _Progress
    max_errors: int | None = None
    quiet: bool = False
    with_filename: bool = False
    summary: BulkSummary = field(default_factory=lambda: BulkSummary(max_errors=0))
    unreadable: int = 0
    shown: int = 0
    not_shown: int = 0

    def document(self, name: str, place: _Place | None, document: BaseModel) -> None:
        text = document.model_dump_json(exclude_unset=True)
        if place is not None:
            where = json.dumps({"file": name, "line": place.line, "index": place.index}, ensure_ascii=False)
            text = f'{where[:-1]}, "document": {text}}}'
        self.out.write(text)
        self.out.write("\n")

    def error(self, name: str, place: _Place, detail: LineError) -> None:
        if self.quiet or (self.max_errors is not None and self.shown >= self.max_errors):
            self.not_shown += 1
            return
        self.shown += 1
        self.progress.clear()
        msg = detail["msg"]
        if detail["type"] == "json_invalid":
            msg = relocate(msg, place.line, place.column)  # the parser's position, in the file
        if self.errors_as == "json":
            record = {"file": name, "line": place.line, "index": place.index, **detail, "loc": list(detail["loc"])}
            record["msg"] = msg
            self.err.write(json.dumps(record, ensure_ascii=False) + "\n")
            return
        where = format_loc(detail["loc"], place.index) or _DOCUMENT_LOC
        self.err.write(f"{name}:{place.line}: {where}: {detail['type']}: {msg}\n")

    def problem(self, name: str, problem: Problem) -> None:
        self.summary.invalid += 1
        place = _Place(problem.line)
        self.error(
            name, place, {"loc": (), "type": "json_invalid", "msg": f"{problem.msg} at line 1 column {problem.column}"}
        )

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
        if self.quiet:
            pass
        elif self.errors_as == "json":
            counts = dict(sorted(summary.value_counts.items()))
            totals: dict[str, Any] = {"valid": summary.valid, "invalid": summary.invalid, "value_counts": counts}
            if self.max_errors is not None:
                totals["errors_not_shown"] = self.not_shown
            self.err.write(json.dumps({"summary": totals}) + "\n")
        else:
            counts_text = ", ".join(f"{name}={number}" for name, number in sorted(summary.value_counts.items()))
            hidden = f", {self.not_shown} errors not shown" if self.not_shown else ""
            self.err.write(
                f"{summary.valid} valid, {summary.invalid} invalid{hidden}"
                + (f"; {counts_text}" if counts_text else "")
                + "\n"
            )
        if self.unreadable:
            return EXIT_USAGE
        return EXIT_INVALID if summary.invalid else EXIT_OK


def _validate_stream(
    name: str, stream: IO[bytes], args: argparse.Namespace, model: DocumentModel, report: _Report
) -> None:
    reader = Reader(stream, args.format)
    slots = _Slots(lag=args.batch_size + 1)
    texts = report.progress.track(name, slots.texts(reader), _size_of(stream))
    options: dict[str, Any] = {"model": model, "provider": args.provider, "batch_size": args.batch_size}
    # Status models' valid texts are written and counted a batch at a time (unless each is written
    # with its place); the rest is reported.
    if _fast.writes(model) and not report.with_filename:
        results = _fast.write_lines(texts, report.out.write, report.summary, **options)
    else:
        results = validate_lines(texts, **options)
    for result in results:
        _record(name, result, slots, report)
    for problem in slots.problems:
        report.problem(name, problem)
    if reader.error is not None:
        report.cannot_read(name, reader.error)


def _record(name: str, result: ValidLine | InvalidLine, slots: _Slots, report: _Report) -> None:
    report.summary.add(result)
    if isinstance(result, ValidLine):
        report.document(name, slots.place(result.line) if report.with_filename else None, result.document)
    else:
        place = slots.place(result.line)
        for detail in result.errors:
            report.error(name, place, detail)


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
        from .providers import UnknownProviderError, provider_table

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
    if args.max_errors is not None and args.max_errors < 0:
        raise _UsageError("--max-errors must be zero or a positive integer")
    report = _Report(
        out, err, args.errors, progress, max_errors=args.max_errors, quiet=args.quiet, with_filename=args.with_filename
    )
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
    from .providers import UnknownProviderError, infer_status

    try:
        status = infer_status(raw, args.provider, model=status_model(args.model))
    except UnknownProviderError as error:
        raise _UsageError(str(error)) from None
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            where = format_loc(detail["loc"]) or _DOCUMENT_LOC
            err.write(f"RAW: {where}: {detail['type']}: {detail['msg']}\n")
        return EXIT_INVALID
    out.write(status.model_dump_json() + "\n")
    return EXIT_OK


def _providers(args: argparse.Namespace, out: IO[str]) -> int:
    from .providers import UnknownProviderError, provider_ids, provider_table

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
