"""The accelerator's fuzz target in `make test`: its seeds and past crashes replayed, then a short
coverage-guided run of `fuzz/fuzz_fast.py` (the long run is `make fuzz`)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from fuzz.fast_target import fast_target
from jobstatus import JobStatus, _fast

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"
SHORT_RUN_SECONDS = 1

inputs = sorted(
    path
    for folder in ("seeds", "regressions")
    for path in (FUZZ / folder / "fast").glob("*")
    if path.name != ".gitkeep"
)


@pytest.mark.parametrize("path", inputs, ids=[f"{path.parent.parent.name}/{path.name}" for path in inputs])
def test_seeds_and_past_crashes_replay_cleanly(path: Path) -> None:
    fast_target(path.read_bytes())


def test_the_target_has_seeds() -> None:
    assert len(inputs) >= 5


def test_the_target_finds_a_difference() -> None:
    """A broken accelerator is caught: a line written differently fails the comparison."""
    plan = _fast._plan(JobStatus, None)
    saved = dict(plan.source_texts)
    plan.source_texts["On Hold"] = '"on hold"'
    try:
        with pytest.raises(AssertionError):
            fast_target((FUZZ / "seeds" / "fast" / "status").read_bytes())
    finally:
        plan.source_texts.clear()
        plan.source_texts.update(saved)


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris has no build for this platform")
def test_a_short_fuzz_run_finds_nothing(tmp_path: Path) -> None:
    command = [
        sys.executable,
        str(FUZZ / "fuzz_fast.py"),
        str(tmp_path / "corpus"),
        str(FUZZ / "seeds" / "fast"),
        f"-max_total_time={SHORT_RUN_SECONDS}",
        f"-artifact_prefix={tmp_path}/fast-",
        "-seed=14",
    ]
    (tmp_path / "corpus").mkdir()
    process = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=SHORT_RUN_SECONDS * 10 + 60, check=False)
    crashes = sorted(path.name for path in tmp_path.glob("fast-*"))
    assert (process.returncode, crashes) == (0, []), (
        "fuzz_fast found a difference: copy it to fuzz/regressions/fast/ and fix it\n"
        + process.stdout.decode(errors="replace")[-3000:]
    )
