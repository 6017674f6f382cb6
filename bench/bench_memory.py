"""Peak memory of bulk validation: `summarize_lines` over a generated NDJSON file of about N GB.

Run with `python bench/bench_memory.py --gb 1` (`make bench` runs it through bench_peers.py). The
file is written to a temporary directory from bench_core.py's documents (canonical and respelled
values, one line in 20,000 invalid), read line by line in a child process, and deleted after.
The child's peak RSS is its own high-water mark (see CHILD); nothing of the file is committed or
kept.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_core import make_documents

GB = 1 << 30
INVALID_EVERY = 20_000
INVALID_LINE = b'{"source_value": NaN, "value": 5}'

# Runs in the child: its peak RSS after the import first, then the whole file through summarize_lines.
# The peak is the kernel's high-water mark of the child's own memory (VmHWM), which starts afresh
# at exec; `ru_maxrss` would also count the parent's RSS at the fork, so it is the fallback only.
CHILD = """
import json, resource, sys

def peak_kb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)

import jobstatus.bulk
imported = peak_kb()
with open(sys.argv[1], "rb") as lines:
    summary = jobstatus.bulk.summarize_lines(lines)
print(json.dumps({"import_kb": imported, "peak_kb": peak_kb(), "valid": summary.valid,
                  "invalid": summary.invalid, "errors_kept": len(summary.errors)}))
"""


def maxrss_mb(value: int) -> float:
    """`ru_maxrss` is in kilobytes on Linux and in bytes on macOS."""
    return value / (1 << 20) if sys.platform == "darwin" else value / (1 << 10)


def write_file(path: Path, size: int) -> int:
    """Write at least `size` bytes of NDJSON to `path`; the number of lines."""
    canonical, respelled = make_documents()
    block_lines = [
        INVALID_LINE if number % INVALID_EVERY == 0 else document
        for number, document in enumerate(canonical + respelled, start=1)
    ]
    block = b"\n".join(block_lines) + b"\n"
    repeats = -(-size // len(block))
    with path.open("wb") as file:
        for _ in range(repeats):
            file.write(block)
    return repeats * len(block_lines)


def measure(gb: float) -> dict[str, Any]:
    """Generate, validate in a child process, delete; peak RSS, time and counts."""
    with tempfile.TemporaryDirectory(prefix="jobstatus-memory-") as directory:
        path = Path(directory) / "statuses.ndjson"
        started = time.perf_counter()
        lines = write_file(path, int(gb * GB))
        generate_seconds = time.perf_counter() - started
        file_size = path.stat().st_size
        started = time.perf_counter()
        child = subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True, capture_output=True)
        seconds = time.perf_counter() - started
    report = json.loads(child.stdout)
    if report["valid"] + report["invalid"] != lines:
        raise AssertionError(f"{lines} lines written, {report['valid'] + report['invalid']} counted")
    return {
        "file_mb": file_size / (1 << 20),
        "lines": lines,
        "valid": report["valid"],
        "invalid": report["invalid"],
        "errors_kept": report["errors_kept"],
        "seconds": seconds,
        "generate_seconds": generate_seconds,
        "peak_rss_mb": report["peak_kb"] / 1024,
        "import_rss_mb": report["import_kb"] / 1024,
        # For comparison only: it includes the RSS this process had when it started the child.
        "children_ru_maxrss_mb": maxrss_mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--gb", type=float, default=1.0, help="size of the generated file in GiB (default 1)")
    args = parser.parse_args(argv)
    result = measure(args.gb)
    print(
        f"summarize_lines over {result['file_mb']:,.0f} MB ({result['lines']:,} lines): "
        f"peak RSS {result['peak_rss_mb']:.0f} MB (after import {result['import_rss_mb']:.0f} MB), "
        f"{result['seconds']:.1f} s, {result['lines'] / result['seconds']:,.0f} lines/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
