"""Fuzz the accelerator against the exact path (atheris, coverage-guided): any bytes, split into
lines, give the same results, summaries and command-line output both ways.

    .venv/bin/python fuzz/fuzz_fast.py CORPUS_DIR fuzz/seeds/fast -max_total_time=60

`make fuzz` runs it for a bounded time; add every crash to `fuzz/regressions/fast/`, where
`tests/test_fast.py` replays it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["jobstatus", "fuzz"]):
    from fuzz.fast_target import fast_target


def main() -> None:
    atheris.Setup(sys.argv, fast_target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
