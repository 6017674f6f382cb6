"""Fuzz the verify-then-validate path of inbound webhooks (`receive_webhook`, atheris, coverage-guided).

    .venv/bin/python fuzz/fuzz_webhook.py CORPUS_DIR fuzz/seeds/webhook -max_total_time=60

The input layout (a flag byte, a claimed signature, the body) is described in `fuzz/targets.py`.
Add every crash to `fuzz/regressions/webhook/`, where `tests/test_fuzz.py` replays it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["jobstatus", "fuzz"]):
    from fuzz.targets import webhook_target


def main() -> None:
    atheris.Setup(sys.argv, webhook_target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
