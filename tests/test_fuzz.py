"""The fuzz targets in `make test`: every seed and every past crash replayed, then a short coverage-guided
run of each atheris harness (the long run is `make fuzz`)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import sized

from fuzz.reader_targets import bulk_target, reader_target
from fuzz.targets import validate_json_target, webhook_target

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"
TARGETS = {
    "validate_json": validate_json_target,
    "webhook": webhook_target,
    "reader": reader_target,
    "bulk": bulk_target,
}
SHORT_RUN_SECONDS = sized(1, 3)  # each harness, all at once; libFuzzer counts whole seconds


def _inputs(kind: str) -> list[Path]:
    return sorted(path for folder in ("seeds", "regressions") for path in (FUZZ / folder / kind).glob("*"))


replays = [(kind, path) for kind in TARGETS for path in _inputs(kind) if path.name != ".gitkeep"]


@pytest.mark.parametrize(
    ("kind", "path"), replays, ids=[f"{path.parent.parent.name}/{kind}/{path.name}" for kind, path in replays]
)
def test_seeds_and_past_crashes_replay_cleanly(kind: str, path: Path) -> None:
    TARGETS[kind](path.read_bytes())


def test_every_target_has_seeds() -> None:
    assert all(any((FUZZ / "seeds" / kind).iterdir()) for kind in TARGETS)


@pytest.mark.skipif(
    importlib.util.find_spec("atheris") is None,
    reason="atheris has no build for this platform; the seeds and past crashes above still run",
)
def test_a_short_fuzz_run_finds_nothing(tmp_path: Path) -> None:
    runs = {}
    for kind in TARGETS:
        corpus = tmp_path / kind
        corpus.mkdir()
        command = [
            sys.executable,
            str(FUZZ / f"fuzz_{kind}.py"),
            str(corpus),  # new inputs go here; the seeds are read only
            str(FUZZ / "seeds" / kind),
            f"-max_total_time={SHORT_RUN_SECONDS}",
            f"-artifact_prefix={tmp_path}/{kind}-",
            "-seed=6",
        ]
        # The harnesses at once, sharing the cores there are.
        runs[kind] = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for kind, process in runs.items():
        output, _ = process.communicate(timeout=SHORT_RUN_SECONDS * 10 + 60)
        crashes = sorted(path.name for path in tmp_path.glob(f"{kind}-*"))
        assert (process.returncode, crashes) == (0, []), (
            f"fuzz_{kind} found a crash: copy it to fuzz/regressions/{kind}/ and fix it\n"
            + output.decode(errors="replace")[-3000:]
        )
