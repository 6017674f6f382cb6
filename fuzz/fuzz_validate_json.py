"""Fuzz `model_validate_json` of every status model (atheris, coverage-guided).

    .venv/bin/python fuzz/fuzz_validate_json.py CORPUS_DIR fuzz/seeds/validate_json -max_total_time=60

`make fuzz` runs it for a bounded time; a crash is written where `-artifact_prefix=` says. Add every
crash to `fuzz/regressions/validate_json/`, where `tests/test_fuzz.py` replays it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["jobstatus", "fuzz"]):
    from fuzz.targets import validate_json_target


def main() -> None:
    atheris.Setup(sys.argv, validate_json_target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
