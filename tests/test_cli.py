"""The `jobstatus` command: in-process through `cli.main(argv)`, and a few runs of the real entry
points (`python -m jobstatus`, the `jobstatus` console script) for their exit statuses."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jobstatus import (
    JobPostingStatusValue,
    JobStatus,
    JobStatusValue,
    StrictJobPostingStatus,
    json_schema,
    provider_ids,
    register_provider,
    unregister_provider,
)
from jobstatus.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, _Progress, main
from jobstatus.schema import render, write_schemas

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "examples" / "data" / "job_statuses.ndjson"
MB = 1_000_000


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


# --- validate: formats, records and errors ----------------------------------------------------------

NDJSON = b'{"value": "On Hold"}\n\n{"value": 5}\n{"value": "open"\n{},{}\n{"source_value": 1}\n'
NDJSON_ERRORS = [
    "F:3: value: status_value_type: Input should be a string naming a status",
    "F:4: (document): json_invalid: Invalid JSON: EOF while parsing an object at line 4 column 16",
    "F:5: (document): json_invalid: Invalid JSON: trailing characters at line 5 column 3",
]

INPUTS = [
    # (name, data, extra args, exit status, stdout lines, stderr lines without the summary)
    pytest.param(
        "ndjson", NDJSON, [], EXIT_INVALID, ['{"value":"on_hold"}', '{"source_value":1}'], NDJSON_ERRORS, id="ndjson"
    ),
    pytest.param("empty", b"", [], EXIT_OK, [], [], id="empty-file"),
    pytest.param("blank", b"\n  \n\n", [], EXIT_OK, [], [], id="blank-lines-only"),
    pytest.param("bom", b'\xef\xbb\xbf{"value": "draft"}\n', [], EXIT_OK, ['{"value":"draft"}'], [], id="bom"),
    pytest.param(
        "crlf",
        b'{"value": "draft"}\r\n{"value": "open"}\r\n',
        [],
        EXIT_OK,
        ['{"value":"draft"}', '{"value":"open"}'],
        [],
        id="crlf",
    ),
    pytest.param(
        "array",
        b'[\n  {"value": "On Hold"},\n  {"value": 3},\n  ,\n  {"value": "Frozen"}\n]\n',
        [],
        EXIT_INVALID,
        ['{"value":"on_hold"}', '{"value":"Frozen"}'],
        [
            "F:3: [1].value: status_value_type: Input should be a string naming a status",
            "F:4: [2]: json_invalid: Invalid JSON: expected value at line 4 column 3",
        ],
        id="array-errors-name-the-index",
    ),
    pytest.param("empty-array", b"  []  \n", [], EXIT_OK, [], [], id="empty-array"),
    pytest.param(
        "truncated-array",
        b'[{"value": "open"}, {"value": "draft"}, {"value": "clo',
        [],
        EXIT_INVALID,
        ['{"value":"open"}', '{"value":"draft"}'],
        [
            "F:1: [2]: json_invalid: Invalid JSON: EOF while parsing a string at line 1 column 54",
        ],
        id="truncated-array-keeps-the-valid-elements",
    ),
    pytest.param(
        "array-then-more",
        b'[{"value": "open"}]\n{"value": "draft"}\n',
        [],
        EXIT_INVALID,
        ['{"value":"open"}'],
        ["F:2: (document): json_invalid: Invalid JSON: trailing characters at line 2 column 1"],
        id="trailing-content-after-an-array",
    ),
    pytest.param(
        "array-strings",
        b'[{"value": "open", "source_value": "a],[{\\"b"}, {"source_value": ",]"}]',
        [],
        EXIT_OK,
        ['{"source_value":"a],[{\\"b","value":"open"}', '{"source_value":",]"}'],
        [],
        id="array-brackets-inside-strings",
    ),
    pytest.param(
        "document",
        b'{\n  "value": "On Hold",\n  "source_value": {"id": 3}\n}\n',
        [],
        EXIT_OK,
        ['{"source_value":{"id":3},"value":"on_hold"}'],
        [],
        id="one-document-over-lines",
    ),
    pytest.param(
        "truncated-document",
        b'\n{\n  "value": "On Hold",\n  "source_value": {"id": 3\n',
        [],
        EXIT_INVALID,
        [],
        # cut by the end of the input after a line end: where the parser places it in the whole file
        ["F:2: (document): json_invalid: Invalid JSON: EOF while parsing an object at line 5 column 0"],
        id="truncated-document-is-one-error",
    ),
    pytest.param(
        "lines-of-arrays",
        b"[1]\n[2]\n",
        ["--format", "ndjson"],
        EXIT_INVALID,
        [],
        [
            "F:1: (document): model_type: Input should be an object",
            "F:2: (document): model_type: Input should be an object",
        ],
        id="format-ndjson-forced",
    ),
    pytest.param(
        "forced-json",
        b'{"value": "open"}\n{"value": "draft"}\n',
        ["--format", "json"],
        EXIT_INVALID,
        [],
        ["F:1: (document): json_invalid: Invalid JSON: trailing characters at line 2 column 1"],
        id="format-json-forced",
    ),
    pytest.param(
        "binary",
        b"\x00\xff\xfe\x89PNG\r\n\x1a\n" + b'{"value": "open"}\n' + bytes(range(256)),
        [],
        EXIT_INVALID,
        ['{"value":"open"}'],
        [
            "F:1: (document): json_invalid: Invalid JSON: expected value at line 1 column 1",
            "F:2: (document): json_invalid: Invalid JSON: expected value at line 2 column 1",
            "F:4: (document): json_invalid: Invalid JSON: expected value at line 4 column 1",
            "F:5: (document): json_invalid: Invalid JSON: expected value at line 5 column 1",
        ],
        id="binary-lines-around-a-valid-one",
    ),
    pytest.param(
        "strict",
        b'{"value": "on hodl"}\n',
        ["--policy", "strict"],
        EXIT_INVALID,
        [],
        [
            "F:1: value: status_value_unknown: Input should be one of 'published', 'draft', 'pending', 'internal', "
            "'archived', 'closed', 'open', 'deleted', 'on_hold', 'unmapped_value'; did you mean 'on_hold'?"
        ],
        id="policy-strict",
    ),
    pytest.param(
        "unmapped",
        b'{"value": "Frozen"}\n',
        ["--policy", "unmapped"],
        EXIT_OK,
        ['{"source_value":"Frozen","value":"unmapped_value"}'],
        [],
        id="policy-unmapped",
    ),
    pytest.param(
        "posting",
        b'{"value": "LIVE"}\n{"value": "open"}\n',
        ["--model", "job-posting-status", "--policy", "strict"],
        EXIT_INVALID,
        ['{"value":"live"}'],
        [
            "F:2: value: status_value_unknown: Input should be one of 'live', 'draft', 'pending', 'internal', "
            "'rejected', 'closed', 'archived', 'unmapped_value'; did you mean 'live'?"
        ],
        id="model-job-posting-status",
    ),
    pytest.param(
        "events",
        b'{"event": "ats_jobs.updated", "data": {"id": "j1", "job_status": {"value": "On Hold"}}}\n'
        b'{"event": "ats_jobs.updated", "data": {"job_status": {"value": 5}}}\n',
        ["--model", "webhook-event"],
        EXIT_INVALID,
        ['{"event":"ats_jobs.updated","data":{"id":"j1","job_status":{"value":"on_hold"}}}'],
        ["F:2: ats_jobs.data.job_status.value: status_value_type: Input should be a string naming a status"],
        id="model-webhook-event",
    ),
    pytest.param(
        "pages",
        b'{"data": [{"id": "j1", "job_status": {"value": "On Hold"}}], "next": "c2"}\n'
        b'{"data": [{"id": "j2"}, {"job_status": {"value": 5}}]}\n',
        ["--model", "jobs-page"],
        EXIT_INVALID,
        ['{"data":[{"id":"j1","job_status":{"value":"on_hold"}}],"next":"c2"}'],
        ["F:2: data[1].job_status.value: status_value_type: Input should be a string naming a status"],
        id="model-jobs-page",
    ),
    pytest.param(
        "provider",
        b'{"source_value": "Frozen"}\n{"source_value": "Frozen", "value": "closed"}\n',
        ["--provider", "workday"],
        EXIT_OK,
        ['{"source_value":"Frozen","value":"on_hold"}', '{"source_value":"Frozen","value":"closed"}'],
        [],
        id="provider-inference",
    ),
    pytest.param(
        "posting provider",
        b'{"source_value": "Frozen"}\n{"source_value": "Frozen", "value": "live"}\n',
        ["--provider", "workday", "--model", "job-posting-status"],
        EXIT_OK,
        ['{"source_value":"Frozen","value":"closed"}', '{"source_value":"Frozen","value":"live"}'],
        [],
        id="provider-inference-of-postings",
    ),
]


@pytest.mark.parametrize(("name", "data", "args", "code", "out", "errors"), INPUTS)
def test_validate(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    data: bytes,
    args: list[str],
    code: int,
    out: list[str],
    errors: list[str],
) -> None:
    path = write(tmp_path, name, data)
    got_code, got_out, got_err = run(capsys, "validate", path, *args)
    assert got_out.splitlines() == out
    *error_lines, summary = got_err.splitlines()
    assert error_lines == [error.replace("F:", f"{path}:", 1) for error in errors]
    assert summary.startswith(f"{len(out)} valid, {len(errors)} invalid")
    assert got_code == code


def test_summary_counts_values(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", str(SAMPLES))
    assert code == EXIT_OK
    assert len(out.splitlines()) == 16
    assert err == (
        "16 valid, 0 invalid; (none)=2, (unknown)=1, archived=1, closed=1, deleted=1, draft=1, internal=1, "
        "on_hold=3, open=2, pending=1, published=1, unmapped_value=1\n"
    )


def test_errors_as_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ndjson = write(tmp_path, "a.ndjson", NDJSON)
    array = write(tmp_path, "b.json", b'[{}, {"value": [1]}]')
    code, _, err = run(capsys, "validate", "--errors", "json", ndjson, array, str(tmp_path / "missing"))
    records = [json.loads(line) for line in err.splitlines()]
    assert records[0] == {
        "file": ndjson,
        "line": 3,
        "index": None,
        "loc": ["value"],
        "type": "status_value_type",
        "msg": "Input should be a string naming a status",
    }
    assert records[3] == {
        "file": array,
        "line": 1,
        "index": 1,
        "loc": ["value"],
        "type": "status_value_type",
        "msg": "Input should be a string naming a status",
    }
    assert records[4] == {
        "file": str(tmp_path / "missing"),
        "line": None,
        "index": None,
        "loc": [],
        "type": "file_unreadable",
        "msg": "No such file or directory",
    }
    assert records[5] == {"summary": {"valid": 3, "invalid": 4, "value_counts": {"(none)": 2, "on_hold": 1}}}
    assert code == EXIT_USAGE


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    stdin(monkeypatch, b'{"value": "draft"}\n')
    assert run(capsys, "validate") == (EXIT_OK, '{"value":"draft"}\n', "1 valid, 0 invalid; draft=1\n")
    stdin(monkeypatch, b"[{}]")
    assert run(capsys, "validate", "-")[:2] == (EXIT_OK, "{}\n")


def test_ten_megabyte_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    big = json.dumps({"source_value": "x" * (10 * MB), "value": "open"})
    path = write(tmp_path, "big.ndjson", f'{big}\n{{"value": "draft"}}\n{big[:-3]}\n'.encode())
    code, out, err = run(capsys, "validate", path)
    assert out.splitlines() == [big.replace(" ", ""), '{"value":"draft"}']
    assert (
        err.splitlines()[0]
        # its line end included, as the parser reads the last value of a file
        == f"{path}:3: (document): json_invalid: Invalid JSON: control character (\\u0000-\\u001F) found"
        " while parsing a string at line 4 column 0"
    )
    assert code == EXIT_INVALID


def test_unreadable_inputs_exit_2_and_the_others_still_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = write(tmp_path, "good.ndjson", b"{}\n")
    code, out, err = run(capsys, "validate", str(tmp_path / "missing.ndjson"), str(tmp_path), good)
    assert out == "{}\n"
    assert err.splitlines() == [
        f"jobstatus validate: cannot read {tmp_path / 'missing.ndjson'}: No such file or directory",
        f"jobstatus validate: cannot read {tmp_path}: Is a directory",
        "1 valid, 0 invalid; (none)=1",
    ]
    assert code == EXIT_USAGE


USAGE_ERRORS = [
    (["validate", "--provider", "greenhose"], "did you mean 'greenhouse'?"),
    (["validate", "--model", "webhook-event", "--policy", "strict"], "--policy and --provider apply to"),
    (["validate", "--format", "yaml"], "invalid choice: 'yaml'"),
    (["validate", "--batch-size", "0"], "--batch-size must be a positive integer"),
    (["infer", "open", "--provider", "nope"], "Unknown provider 'nope'"),
    (["providers", "nope"], "Unknown provider 'nope'"),
    (["schema", "--dialect", "draft-07"], "invalid choice: 'draft-07'"),
    ([], "the following arguments are required: COMMAND"),
]


@pytest.mark.parametrize(("argv", "message"), USAGE_ERRORS)
def test_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (EXIT_USAGE, "")
    assert message in err
    assert "Traceback" not in err


# --- help lists the values, generated from the enums ------------------------------------------------


@pytest.mark.parametrize("member", [*JobStatusValue, *JobPostingStatusValue], ids=repr)
def test_validate_help_lists_every_value(capsys: pytest.CaptureFixture[str], member: Any) -> None:
    code, out, _ = run(capsys, "validate", "--help")
    assert code == EXIT_OK
    assert f"\n  {member.value} " in out


def test_top_level_help_lists_the_job_status_values(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == EXIT_OK
    assert all(f"\n  {member.value} " in out for member in JobStatusValue)


# --- progress bar --------------------------------------------------------------------------------


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "many.ndjson", b'{"value": "open"}\n' * 5000)
    _, _, err = run(capsys, "validate", path)
    assert err == "5000 valid, 0 invalid; open=5000\n"


def test_progress_bar_draws_and_clears(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_Progress, "_DELAY", 0.0)
    monkeypatch.setattr(_Progress, "_INTERVAL", 0.0)
    stream = io.StringIO()
    progress = _Progress(stream, enabled=True)
    lines = list(progress.track("big.ndjson", [b"{}\n"] * 2048, total=3 * 2048))
    assert len(lines) == 2048
    text = stream.getvalue()
    assert "\rbig.ndjson [##############################] 100% 2,048 lines\x1b[K" in text
    assert text.endswith("\r\x1b[K")  # cleared at the end
    unknown_size = io.StringIO()
    list(_Progress(unknown_size, enabled=True).track("<stdin>", [b"{}\n"] * 1024, total=None))
    assert "\r<stdin> 1,024 lines, 0.0 MB" in unknown_size.getvalue()


# --- schema, infer, providers -------------------------------------------------------------------------


def test_schema_prints_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "schema") == (EXIT_OK, render(json_schema(JobStatus)), "")
    argv = [
        "--model",
        "job-posting-status",
        "--policy",
        "strict",
        "--dialect",
        "openapi-3.0",
        "--mode",
        "serialization",
    ]
    expected = render(json_schema(StrictJobPostingStatus, mode="serialization", dialect="openapi-3.0"))
    assert run(capsys, "schema", *argv) == (EXIT_OK, expected, "")


def test_schema_writes_all_like_make_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "schema", "--out", str(tmp_path / "cli"))
    assert code == EXIT_OK
    write_schemas(tmp_path / "make")
    written = sorted(path.relative_to(tmp_path / "cli") for path in (tmp_path / "cli").rglob("*.json"))
    assert written == sorted(path.relative_to(tmp_path / "make") for path in (tmp_path / "make").rglob("*.json"))
    assert len(out.splitlines()) == len(written) == 36
    for path in written:
        assert (tmp_path / "cli" / path).read_bytes() == (tmp_path / "make" / path).read_bytes()


def test_schema_writes_a_selection(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "schema", "--out", str(tmp_path), "--dialect", "openapi-3.1", "--mode", "validation")
    assert code == EXIT_OK
    assert sorted(path.name for path in tmp_path.rglob("*.json")) == sorted(
        f"{prefix}{kind}.validation.json"
        for prefix in ("", "Unmapped", "Strict")
        for kind in ("JobStatus", "JobPostingStatus")
    )
    assert out.splitlines()[0] == str(tmp_path / "openapi-3.1" / "JobStatus.validation.json")


INFER_CASES = [
    (["On Hold", "--provider", "jazzhr"], '{"source_value":"On Hold","value":"on_hold"}'),
    (["0", "--provider", "successfactors"], '{"source_value":0,"value":"pending"}'),
    (['{"live": true, "internal": true, "active": true}', "--provider", "greenhouse_job_post"],
     '{"source_value":{"live":true,"internal":true,"active":true},"value":"internal"}'),
    (["true", "--string"], '{"source_value":"true","value":"unmapped_value"}'),
    (["Frozen in time", "--provider", "workday"], '{"source_value":"Frozen in time","value":"unmapped_value"}'),
    (["closed"], '{"source_value":"closed","value":"closed"}'),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "expected"), INFER_CASES)
def test_infer(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    assert run(capsys, "infer", *argv) == (EXIT_OK, expected + "\n", "")


def test_infer_rejects_a_raw_value_that_is_not_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "infer", "[NaN]")
    assert (code, out) == (EXIT_INVALID, "")
    assert err == "RAW: source_value.array[0].number: finite_number: Input should be a finite number\n"


def test_providers_lists_every_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "providers")
    assert code == EXIT_OK
    assert [line.split()[0] for line in out.splitlines()] == list(provider_ids())
    code, out, _ = run(capsys, "providers", "--json")
    assert list(json.loads(out)) == list(provider_ids())


def test_providers_shows_one_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "providers", "workday")
    assert code == EXIT_OK
    assert out.splitlines()[:3] == ["workday: Workday", "field: job requisition status", "statuses:"]
    assert '  "Frozen" -> on_hold' in out.splitlines()
    code, out, _ = run(capsys, "providers", "bullhorn", "--json")
    assert json.loads(out)["rules"][0] == {"when": {"isDeleted": True}, "value": "deleted", "source": "joborder"}


# --- the real entry points -------------------------------------------------------------------------

CONSOLE_SCRIPT = Path(sys.executable).with_name("jobstatus")

SUBPROCESS_CASES = [
    # (argv after the command, stdin, exit status, text expected in stdout, in stderr)
    (["validate", str(SAMPLES)], b"", EXIT_OK, '"value":"on_hold"}', "16 valid, 0 invalid"),
    (["validate", "-", "--errors", "json"], b'{"value": 5}\n{}\n', EXIT_INVALID, "{}", '"type": "status_value_type"'),
    (["validate", "no/such/file.ndjson"], b"", EXIT_USAGE, "", "cannot read no/such/file.ndjson"),
    (["validate", "--model", "nope"], b"", EXIT_USAGE, "", "invalid choice: 'nope'"),
    (["schema", "--dialect", "openapi-3.1"], b"", EXIT_OK, '"openapi": "3.1.1"', ""),
    (["infer", "Frozen", "--provider", "workday"], b"", EXIT_OK, '"value":"on_hold"', ""),
    (["providers", "greenhouse"], b"", EXIT_OK, "greenhouse: Greenhouse", ""),
    (["providers", "greenhose"], b"", EXIT_USAGE, "", "did you mean 'greenhouse'?"),
]


def test_python_dash_m(tmp_path: Path) -> None:
    # Started together and awaited together: each costs an interpreter start and an import.
    running = [
        (case, subprocess.Popen(
            [sys.executable, "-m", "jobstatus", *case[0]],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        ))
        for case in SUBPROCESS_CASES
    ]  # fmt: skip
    for (argv, given, code, out, err), process in running:
        stdout, stderr = process.communicate(given, timeout=60)
        assert (process.returncode, argv) == (code, argv), stderr
        assert out.encode() in stdout, argv
        assert err.encode() in stderr, argv
        assert b"Traceback" not in stderr


def test_console_script() -> None:
    assert CONSOLE_SCRIPT.exists(), "the console script is missing: reinstall the package (pip install -e .)"
    given = b'{"value": "On Hold"}\n{"value": 1}\n'
    process = subprocess.run([CONSOLE_SCRIPT, "validate"], input=given, capture_output=True, timeout=60)
    assert process.returncode == EXIT_INVALID
    assert process.stdout == b'{"value":"on_hold"}\n'
    assert process.stderr.splitlines()[-1] == b"1 valid, 1 invalid; on_hold=1"


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    path = write(tmp_path, "many.ndjson", b'{"value": "open"}\n' * 200_000)
    process = subprocess.Popen(
        [sys.executable, "-m", "jobstatus", "validate", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stderr is not None
    assert process.stdout.readline() == b'{"value":"open"}\n'
    process.stdout.close()  # the reader leaves, as `| head -1` does
    stderr = process.stderr.read()
    process.wait(timeout=60)
    process.stderr.close()
    assert process.returncode == EXIT_INVALID
    assert b"Traceback" not in stderr


# --- edges of reading and writing ---------------------------------------------------------------------


def test_a_deeply_nested_first_line_is_one_bad_record(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "deep.ndjson", b'{"source_value": ' + b"[" * 100_000 + b"\n{}\n")
    code, out, err = run(capsys, "validate", path)
    assert out == "{}\n"
    assert err.splitlines()[0].startswith(f"{path}:1: (document): json_invalid: Invalid JSON: recursion limit exceeded")
    assert code == EXIT_INVALID


def test_an_array_cut_after_a_comma(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "cut.json", b'[{"value": "open"},\n')
    code, out, err = run(capsys, "validate", path)
    assert out == '{"value":"open"}\n'
    assert err.splitlines()[0] == (
        f"{path}:2: (document): json_invalid: Invalid JSON: EOF while parsing a value at line 2 column 0"
    )
    assert code == EXIT_INVALID


class FailingStdin(io.RawIOBase):
    """Gives one line, then fails as a broken device would."""

    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.calls += 1
        if self.calls > 1:
            raise OSError(5, "Input/output error")
        data = b'{"value": "open"}\n'
        buffer[: len(data)] = data
        return len(data)


def test_a_read_error_midway(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(FailingStdin())))
    code, out, err = run(capsys, "validate")
    assert out == '{"value":"open"}\n'  # what was read before the error still comes out
    assert err.splitlines()[0] == "jobstatus validate: cannot read <stdin>: Input/output error"
    assert code == EXIT_USAGE


def test_a_closed_stdout_in_process(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["validate", str(SAMPLES)]) == EXIT_INVALID
    assert "Traceback" not in capsys.readouterr().err


def test_an_unwritable_schema_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    a_file = write(tmp_path, "file", b"")
    code, out, err = run(capsys, "schema", "--out", f"{a_file}/schemas", "--mode", "validation")
    assert (code, out) == (EXIT_USAGE, "")
    assert err.startswith("jobstatus schema: [Errno 20] Not a directory")


def test_interrupted(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("jobstatus.cli._providers", interrupt)
    assert run(capsys, "providers") == (130, "", "")


def test_providers_shows_what_a_table_extends(capsys: pytest.CaptureFixture[str]) -> None:
    register_provider({
        "id": "workable_hiring",
        "name": "Workable (closed jobs still hiring)",
        "field": "job `state`",
        "extends": "workable",
        "sources": {"ours": {"title": "Our usage", "url": "https://example.com/ours", "kind": "secondary"}},
        "statuses": [{"raw": "closed", "value": "open", "source": "ours"}],
    })  # fmt: skip
    try:
        code, out, _ = run(capsys, "providers", "workable_hiring")
    finally:
        unregister_provider("workable_hiring")
    assert code == EXIT_OK
    assert out.splitlines() == [
        "workable_hiring: Workable (closed jobs still hiring)",
        "field: job `state`",
        "extends: workable",
        "statuses:",
        '  "closed" -> open',
        "sources:",
        "  Our usage (secondary) https://example.com/ours",
    ]


# The command line in odd environments: a real process each.
ODD_LOCALES = [
    {"PYTHONIOENCODING": "cp1252"},  # Windows redirecting to a file
    {"LC_ALL": "C", "PYTHONUTF8": "0"},
    {"LC_ALL": "C", "PYTHONIOENCODING": "ascii"},
]


@pytest.mark.parametrize("env", ODD_LOCALES, ids=[" ".join(f"{k}={v}" for k, v in e.items()) for e in ODD_LOCALES])
def test_output_is_utf8_in_any_locale(tmp_path: Path, env: dict[str, str]) -> None:
    import os

    line = '{"source_value":"日本","value":"Café"}\n'.encode()
    path = write(tmp_path, "in.ndjson", line)
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "LC_ALL")}
    done = subprocess.run(
        [sys.executable, "-m", "jobstatus", "validate", path], capture_output=True, env={**environment, **env}
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, line, b"1 valid, 0 invalid; (unknown)=1\n")


CLOSED_STREAMS = [
    ("closed stdin", ["validate"], "<&-", 2, "jobstatus validate: error: stdin is closed: give the input as FILE"),
    (
        "write-only stdin",
        ["validate"],
        "0>/dev/null",
        2,
        "jobstatus validate: cannot read <stdin>: Bad file descriptor",
    ),
    (
        "read-only stdout",
        ["validate", str(SAMPLES)],
        "1</dev/null",
        2,
        "jobstatus validate: [Errno 9] Bad file descriptor",
    ),
    ("closed stdout", ["validate", str(SAMPLES)], ">&-", 1, None),  # quiet, as a closed pipe
]


@pytest.mark.parametrize(
    ("name", "argv", "redirect", "code", "line"), CLOSED_STREAMS, ids=[c[0] for c in CLOSED_STREAMS]
)
def test_closed_or_unusable_streams(name: str, argv: list[str], redirect: str, code: int, line: str | None) -> None:
    import shlex

    command = " ".join(shlex.quote(part) for part in [sys.executable, "-m", "jobstatus", *argv])
    done = subprocess.run(f"{command} {redirect}", shell=True, capture_output=True, text=True)
    assert done.returncode == code
    assert done.stderr.splitlines() == ([line] if line else [])


def test_ctrl_c_prints_the_partial_summary_and_exits_130() -> None:
    import signal

    process = subprocess.Popen(
        [sys.executable, "-m", "jobstatus", "validate"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(b'{"value": "open"}\n' * 3000)
    process.stdin.flush()
    process.stdout.read(len('{"value":"open"}\n') * 3000)  # all three thousand are through
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert (process.returncode, err) == (130, b"3000 valid, 0 invalid; open=3000\n")


def test_ctrl_c_clears_the_progress_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from jobstatus import cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    class Interrupted(io.BytesIO):
        """Gives 2,048 lines in reads of 3 bytes, then is interrupted."""

        def read1(self, size: int = -1) -> bytes:
            if self.tell() == 3 * 2048:
                raise KeyboardInterrupt
            return super().read1(3)

    monkeypatch.setattr(cli._Progress, "_DELAY", 0.0)
    monkeypatch.setattr(cli, "_stdin", lambda: Interrupted(b"{}\n" * 4096))
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert main(["validate"]) == 130
    drawn, summary = err.getvalue().rsplit("\r\x1b[K", 1)
    assert "<stdin>" in drawn
    assert summary == "2000 valid, 0 invalid; (none)=2000\n"  # the batch being read when interrupted is not counted


# --- the reader's shell habits, and the options around errors ----------------------------------------

JQ_ARRAY = b'[{"value": "On Hold"}, {"value": 5, "source_value": {"a.b": [1]}}, {"value": "open"}]'


def test_jq_pretty_output_is_a_stream_of_values(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # What `jq '.[]'` writes by default (jq 1.6), committed so the test needs no jq.
    pretty = (
        b'{\n  "value": "On Hold"\n}\n{\n  "value": 5,\n  "source_value": {\n    "a.b": [\n      1\n    ]\n  }\n}\n'
    )
    path = write(tmp_path, "pretty.json", pretty + b'{\n  "value": "open"\n}\n')
    code, out, err = run(capsys, "validate", path)
    assert out.splitlines() == ['{"value":"on_hold"}', '{"value":"open"}']
    assert err.splitlines() == [
        f"{path}:4: value: status_value_type: Input should be a string naming a status",
        "2 valid, 1 invalid; on_hold=1, open=1",
    ]
    assert code == EXIT_INVALID


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_the_real_jq(tmp_path: Path) -> None:
    array = write(tmp_path, "array.json", JQ_ARRAY)
    pretty = subprocess.run(["jq", ".[]", array], capture_output=True, check=True).stdout
    done = subprocess.run(
        [sys.executable, "-m", "jobstatus", "validate", "--errors", "json"], input=pretty, capture_output=True
    )
    *errors, summary = (json.loads(line) for line in done.stderr.splitlines())
    assert [(error["line"], error["loc"]) for error in errors] == [(4, ["value"])]
    assert summary["summary"]["valid"] == 2
    assert done.returncode == EXIT_INVALID


def test_array_errors_are_placed_in_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "arr.json", b'[\n  {"value": "open"},\n  {"value": "open",\n   "x": }\n]\n')
    code, _, err = run(capsys, "validate", path)
    assert err.splitlines()[0] == f"{path}:3: [1]: json_invalid: Invalid JSON: expected value at line 4 column 9"
    assert code == EXIT_INVALID


LOCS = [
    # (key of source_value's object, how the text error names the place)
    ("a.b", 'source_value.object["a.b"].array[0].number'),
    ("two words", 'source_value.object["two words"].array[0].number'),
    ("plain", "source_value.object.plain.array[0].number"),
    ("0", 'source_value.object["0"].array[0].number'),
]


@pytest.mark.parametrize(("key", "where"), LOCS)
def test_loc_is_printed_unambiguously(capsys: pytest.CaptureFixture[str], tmp_path: Path, key: str, where: str) -> None:
    path = write(tmp_path, "loc.ndjson", json.dumps({"source_value": {key: [float("nan")]}}).encode() + b"\n")
    _, _, err = run(capsys, "validate", path)
    assert err.splitlines()[0] == f"{path}:1: {where}: finite_number: Input should be a finite number"
    _, _, err = run(capsys, "validate", path, "--errors", "json")
    assert json.loads(err.splitlines()[0])["loc"] == ["source_value", "object", key, "array", 0, "number"]


MANY_ERRORS = b'{"value": 1}\n' * 5 + b'{"value": "open"}\n'
WRONG_TYPE = "value: status_value_type: Input should be a string naming a status"

ERROR_OPTIONS = [
    # (options, stderr lines)
    (["--max-errors", "2"],
     [f"F:1: {WRONG_TYPE}", f"F:2: {WRONG_TYPE}",
                             "1 valid, 5 invalid, 3 errors not shown; open=1"]),
    (["--max-errors", "0"], ["1 valid, 5 invalid, 5 errors not shown; open=1"]),
    (["--max-errors", "9"], [*(f"F:{n}: {WRONG_TYPE}" for n in range(1, 6)), "1 valid, 5 invalid; open=1"]),
    (["--quiet"], []),
    (["-q", "--max-errors", "2"], []),
]  # fmt: skip


@pytest.mark.parametrize(("options", "lines"), ERROR_OPTIONS)
def test_max_errors_and_quiet(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, options: list[str], lines: list[str]
) -> None:
    path = write(tmp_path, "many.ndjson", MANY_ERRORS)
    code, out, err = run(capsys, "validate", path, *options)
    assert err.splitlines() == [line.replace("F:", f"{path}:", 1) for line in lines]
    assert (code, out) == (EXIT_INVALID, '{"value":"open"}\n')  # the exit status and stdout are unchanged


def test_max_errors_in_the_json_summary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "many.ndjson", MANY_ERRORS)
    _, _, err = run(capsys, "validate", path, "--errors", "json", "--max-errors", "1")
    *errors, summary = err.splitlines()
    assert len(errors) == 1
    assert json.loads(summary) == {
        "summary": {"valid": 1, "invalid": 5, "value_counts": {"open": 1}, "errors_not_shown": 4}
    }


def test_quiet_still_names_an_unreadable_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = write(tmp_path, "good.ndjson", b"{}\n{\n")
    code, out, err = run(capsys, "validate", "-q", good, str(tmp_path / "missing"))
    assert (code, out) == (EXIT_USAGE, "{}\n")
    assert err == f"jobstatus validate: cannot read {tmp_path / 'missing'}: No such file or directory\n"


def test_max_errors_must_not_be_negative(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate", "--max-errors", "-1")
    assert code == EXIT_USAGE
    assert "--max-errors must be zero or a positive integer" in err


def test_with_filename(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    first = write(tmp_path, "a.ndjson", b'{"value": "open"}\n\n{"value": "On Hold"}\n')
    second = write(tmp_path, "b.json", b'[\n  {},\n  {"source_value": "\xc3\xa9"}\n]')
    code, out, _ = run(capsys, "validate", "--with-filename", first, second)
    assert [json.loads(line) for line in out.splitlines()] == [
        {"file": first, "line": 1, "index": None, "document": {"value": "open"}},
        {"file": first, "line": 3, "index": None, "document": {"value": "on_hold"}},
        {"file": second, "line": 2, "index": 0, "document": {}},
        {"file": second, "line": 3, "index": 1, "document": {"source_value": "é"}},
    ]
    assert code == EXIT_OK
    assert run(capsys, "validate", "-H", first)[1].splitlines()[0].startswith('{"file": ')


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    code, out, _ = run(capsys, "--version")
    assert (code, out) == (EXIT_OK, f"jobstatus {version('jobstatus')}\n")


def test_validating_statuses_imports_neither_the_webhooks_nor_the_provider_tables(tmp_path: Path) -> None:
    # Their models and tables cost the command's start about a twentieth (bench/bench_cli.py).
    data = write(tmp_path, "statuses.ndjson", b'{"value": "open"}\n')
    script = (
        "import sys\nfrom jobstatus.cli import main\n"
        f"assert main(['validate', '-q', {data!r}]) == 0\n"
        "print(sorted(name for name in sys.modules if name.startswith(('jobstatus.webhooks', 'jobstatus.providers'))))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"
