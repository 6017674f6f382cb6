"""The README's generated blocks: tables written from the package's own data, never by hand.

A block sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`. `make docs`
(`python -m tools.readme README.md`) rewrites every block, and a test fails when the committed
README differs from what this module renders. A development tool of the repository: it is not part
of the package, and reads the benchmark results that only a checkout has.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from jobstatus._values import JobPostingStatusValue, JobStatusValue, describe
from jobstatus.providers import provider_table_markdown

__all__ = ("GENERATED_BLOCKS", "bench_results", "render_blocks", "values_table")


def values_table(enum: type[Enum]) -> str:
    """A markdown table of an enum's values, in spec order, with their meanings."""
    rows = [f"| `{member.value}` | {describe(member)} |" for member in enum]
    return "\n".join(["| value | meaning |", "| --- | --- |", *rows])


# Written by `make bench` (bench/bench_core.py, bench/bench_peers.py); the README shows the committed runs.
_BENCH_RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"


def bench_results(name: str) -> str:
    """A benchmark's committed tables (`bench/results/NAME.md`), as `make bench` last wrote them."""
    return (_BENCH_RESULTS / f"{name}.md").read_text(encoding="utf-8").rstrip("\n")


GENERATED_BLOCKS: dict[str, Callable[[], str]] = {
    "job-status-values": lambda: values_table(JobStatusValue),
    "job-posting-status-values": lambda: values_table(JobPostingStatusValue),
    "providers": provider_table_markdown,
    "bench-core": lambda: bench_results("core"),
    "bench-peers": lambda: bench_results("peers"),
}

_BLOCK = re.compile(r"(<!-- generated:(?P<name>[\w-]+) -->\n).*?(<!-- /generated:(?P=name) -->)", re.DOTALL)


def render_blocks(text: str) -> str:
    """Return `text` with every generated block rewritten from the data.

    Raises:
        KeyError: a block names no generator in `GENERATED_BLOCKS`.
    """
    return _BLOCK.sub(lambda match: f"{match[1]}{GENERATED_BLOCKS[match['name']]()}\n{match[3]}", text)


if __name__ == "__main__":  # pragma: no cover - exercised through `make docs`
    for name in sys.argv[1:]:
        path = Path(name)
        path.write_text(render_blocks(path.read_text(encoding="utf-8")), encoding="utf-8")
