"""Fuzz `bulk_target` (fuzz/reader_targets.py; atheris, coverage-guided).

    .venv/bin/python fuzz/fuzz_bulk.py CORPUS_DIR fuzz/seeds/bulk -max_total_time=60

`make fuzz` runs it for a bounded time; a crash is written where `-artifact_prefix=` says. Add every
crash to `fuzz/regressions/bulk/`, where `tests/test_fuzz.py` replays it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["jobstatus", "fuzz"]):
    from fuzz.reader_targets import bulk_target


def main() -> None:
    atheris.Setup(sys.argv, bulk_target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
