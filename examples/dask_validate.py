"""Validate NDJSON job-status files on a Dask cluster and print the unified values counted and the errors.

Usage: python examples/dask_validate.py FILE... [--scheduler ADDRESS] [--shards N] [--policy open|unmapped|strict]

Without `--scheduler` a local cluster of worker processes is started on 127.0.0.1 and closed at the
end; with it, the work goes to that scheduler, whose workers must read the files at the same paths
(a shared file system) and have `jobstatus` installed. Needs `dask[distributed]`
(`pip install "dask[distributed]"`), which `jobstatus` itself does not depend on.

The files are cut into shards, about N in all (default: one per file); a shard is a byte range that
holds whole lines. One task per shard runs `jobstatus.bulk.summarize_lines`, told the file's line
number of its first line, so errors name the same line as in the file; the summaries are merged per
file and over all files. Exit status 1 when any line is invalid.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from jobstatus import STATUS_MODELS, BulkSummary, UnknownValuePolicy, status_model, summarize_lines

if TYPE_CHECKING:
    from distributed import Client

CHUNK = 1 << 20  # bytes read at a time when counting lines


@dataclass(frozen=True)
class Shard:
    """The lines of `path` that start at a byte offset in [start, end)."""

    path: str
    start: int
    end: int


def plan_shards(paths: Sequence[str], shards: int) -> list[Shard]:
    """Cut the files into about `shards` byte ranges in all, in proportion to their sizes, at least one per file."""
    sizes = [os.path.getsize(path) for path in paths]
    total = sum(sizes) or 1
    planned: list[Shard] = []
    for path, size in zip(paths, sizes, strict=True):
        count = max(1, min(size, round(shards * size / total)))
        bounds = [size * index // count for index in range(count + 1)]
        planned.extend(Shard(path, start, end) for start, end in pairwise(bounds))
    return planned


def count_line_starts(shard: Shard) -> int:
    """How many lines of the file start inside the shard: one per newline at [start - 1, end - 1), plus line 1."""
    low, high = max(shard.start - 1, 0), shard.end - 1
    count = 1 if shard.start == 0 and shard.end > 0 else 0
    with open(shard.path, "rb") as file:
        file.seek(low)
        while low < high:
            chunk = file.read(min(CHUNK, high - low))
            if not chunk:
                break
            count += chunk.count(b"\n")
            low += len(chunk)
    return count


def shard_lines(shard: Shard) -> Iterator[bytes]:
    """Every line that starts inside the shard, blank ones included, so that line numbers stay right."""
    with open(shard.path, "rb") as file:
        if shard.start > 0:
            file.seek(shard.start - 1)
            file.readline()  # the rest of the line that started before the shard (or just its newline)
        position = file.tell()
        while position < shard.end:
            line = file.readline()
            if not line:
                break
            position += len(line)
            yield line


def summarize_shard(shard: Shard, first_line: int, policy: UnknownValuePolicy, max_errors: int) -> BulkSummary:
    """The task run on a worker: validate one shard's lines."""
    model = status_model("job-status", policy)
    return summarize_lines(shard_lines(shard), model=model, first_line=first_line, max_errors=max_errors)


def validate_files(
    client: Client,
    paths: Sequence[str],
    *,
    shards: int | None = None,
    policy: UnknownValuePolicy = "open",
    max_errors: int = 100,
) -> dict[str, BulkSummary]:
    """Summarize each file on the cluster behind `client`, one task per shard; the summaries per file."""
    paths = list(dict.fromkeys(paths))  # a file named twice is read once
    planned = plan_shards(paths, len(paths) if shards is None else shards)
    # First pass: lines per shard (reading bytes only), so each shard knows its first line number.
    line_counts: list[int] = client.gather(client.map(count_line_starts, planned, pure=False))
    first_lines, before = [], dict.fromkeys(paths, 1)
    for shard, count in zip(planned, line_counts, strict=True):
        first_lines.append(before[shard.path])
        before[shard.path] += count
    futures = client.map(summarize_shard, planned, first_lines, policy=policy, max_errors=max_errors, pure=False)
    results: list[BulkSummary] = client.gather(futures)
    per_file: dict[str, BulkSummary] = {}
    for shard, summary in zip(planned, results, strict=True):
        per_file[shard.path] = per_file[shard.path].merge(summary) if shard.path in per_file else summary
    return per_file


def total(per_file: dict[str, BulkSummary]) -> BulkSummary:
    """All files' summaries merged into one."""
    return reduce(BulkSummary.merge, per_file.values())


def report(per_file: dict[str, BulkSummary]) -> Iterator[str]:
    """The lines printed: each error as `FILE:LINE: loc: type: message`, then the counts."""
    for path, summary in per_file.items():
        for invalid in summary.errors:
            for detail in invalid.errors:
                location = ".".join(str(part) for part in detail["loc"]) or "(document)"
                yield f"{path}:{invalid.line}: {location}: {detail['type']}: {detail['msg']}"
    summary = total(per_file)
    counts = ", ".join(f"{name}={count}" for name, count in sorted(summary.value_counts.items()))
    yield f"{summary.valid} valid, {summary.invalid} invalid; {counts}"


def positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--scheduler", help="address of a running scheduler, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--shards", type=positive, help="about how many tasks in all (default: one per file)")
    parser.add_argument("--workers", type=positive, default=2, help="workers of the local cluster (default 2)")
    parser.add_argument("--policy", choices=sorted(STATUS_MODELS["job-status"]), default="open")
    parser.add_argument("--max-errors", type=int, default=100, help="errors kept per file (default 100)")
    args = parser.parse_args(argv)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        parser.exit(2, 'this example needs Dask: pip install "dask[distributed]"\n')
    cluster: Any = None
    if args.scheduler is None:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=":0")
    try:
        with Client(args.scheduler or cluster) as client:
            per_file = validate_files(
                client, args.files, shards=args.shards, policy=args.policy, max_errors=args.max_errors
            )
    finally:
        if cluster is not None:
            cluster.close()
    lines = list(report(per_file))
    for line in lines[:-1]:
        print(line, file=sys.stderr)
    print(lines[-1])
    return 1 if total(per_file).invalid else 0


if __name__ == "__main__":
    sys.exit(main())
