"""examples/dask_validate.py: shards hold every line once, and a local cluster gives what one process gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from examples.dask_validate import count_line_starts, main, plan_shards, shard_lines, total, validate_files
from jobstatus.bulk import BulkSummary, summarize_lines

# Lines of a small export: valid documents of every kind, blank lines, and invalid ones whose
# line numbers the cluster must report exactly as a single process does.
VALID = [
    {"source_value": "On Hold", "value": "On Hold"},
    {"source_value": 3, "value": "open"},
    {"source_value": {"id": 7, "name": "Draft"}, "value": "draft"},
    {"source_value": [True, None], "value": "Frozen"},
    {},
]
INVALID = [
    b'{"value": 5}',  # status_value_type
    b'{"source_value": NaN, "value": "open"}',  # finite_number
    b'{"value": "open"',  # json_invalid
]


def export_lines(count: int) -> Iterator[bytes]:
    for number in range(count):
        if number % 17 == 5:
            yield b""
        elif number % 11 == 3:
            yield INVALID[number % len(INVALID)]
        else:
            yield json.dumps(VALID[number % len(VALID)]).encode()


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    big, small, no_final_newline, empty = (tmp_path / name for name in ("big", "small", "tail", "empty"))
    big.write_bytes(b"\n".join(export_lines(300)) + b"\n")
    small.write_bytes(b"\n".join(export_lines(12)) + b"\n")
    no_final_newline.write_bytes(b"\n".join(export_lines(20)))
    empty.write_bytes(b"")
    return [str(path) for path in (big, small, no_final_newline, empty)]


def one_process(path: str) -> BulkSummary:
    with open(path, "rb") as lines:
        return summarize_lines(lines)


def assert_same(got: BulkSummary, expected: BulkSummary) -> None:
    assert (got.valid, got.invalid, got.value_counts) == (expected.valid, expected.invalid, expected.value_counts)
    assert [(error.line, error.errors) for error in got.errors] == [
        (error.line, error.errors) for error in expected.errors
    ]


@pytest.mark.parametrize("shards", [1, 2, 3, 7, 40, 1000])
def test_shards_hold_every_line_once_with_its_number(files: list[str], shards: int) -> None:
    planned = plan_shards(files, shards)
    for path in files:
        ranges = [shard for shard in planned if shard.path == path]
        assert [shard.start for shard in ranges[1:]] == [shard.end for shard in ranges[:-1]]
        with open(path, "rb") as file:
            lines = file.readlines()
        assert [line for shard in ranges for line in shard_lines(shard)] == lines
        assert sum(count_line_starts(shard) for shard in ranges) == len(lines)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def test_cluster_gives_what_one_process_gives(client: Client, files: list[str]) -> None:
    per_file = validate_files(client, files, shards=9)
    assert list(per_file) == files
    for path in files:
        assert_same(per_file[path], one_process(path))
    everything = total(per_file)
    assert everything.invalid > 0
    assert everything.value_counts["on_hold"] > 0


def test_command_line_on_a_running_scheduler(
    client: Client, files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*files, "--scheduler", client.scheduler.address, "--shards", "5"]) == 1
    out, err = capsys.readouterr()
    expected = total({path: one_process(path) for path in files})
    assert out.startswith(f"{expected.valid} valid, {expected.invalid} invalid; ")
    first = expected.errors[0] if expected.errors else None
    assert first is not None
    assert err.splitlines()[0].startswith(f"{files[0]}:{first.line}: ")
