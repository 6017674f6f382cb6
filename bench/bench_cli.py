"""CPU time of `jobstatus validate FILE > out` against the scripts a user could write instead.

Run with `python bench/bench_cli.py` (`make bench` runs it through bench_peers.py). One NDJSON file
of LINES lines (bench_core.py's canonical documents, repeated) is written to a temporary directory;
each contender runs in its own child process, reading that file and writing normalized NDJSON to a
file beside it, and is timed by the CPU time (user + system) the child used, interpreter start-up
and imports included. Rounds are paired (every contender once per round, in turn) and the median
of ROUNDS is kept:

- `jobstatus validate` with the accelerator (the `fast` extra) and without it
  (`JOBSTATUS_NO_ACCELERATOR=1`);
- the bare loop: a twelve-line script validating each line with bench_core.py's bare pydantic model
  and writing its `model_dump_json(exclude_unset=True)`;
- msgspec decoding alone: the same loop with a msgspec `Struct` of the same shape, decoding and
  encoding, no policy and no checks (the floor).

Every contender's output is checked against the others' line count first.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_core import make_documents

LINES = 200_000
ROUNDS = 5
BENCH = Path(__file__).resolve().parent

BARE_LOOP = """
import sys
sys.path.insert(0, sys.argv[3])
from bench_core import BareStatus
from pydantic import ValidationError

validate = BareStatus.model_validate_json
with open(sys.argv[1], "rb") as lines, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in lines:
        try:
            out.write(validate(line).model_dump_json(exclude_unset=True) + "\\n")
        except ValidationError as error:
            print(error, file=sys.stderr)
"""

MSGSPEC_LOOP = """
import sys
from typing import Any, Optional
import msgspec

class Status(msgspec.Struct, omit_defaults=True, gc=False):
    source_value: Any = None
    value: Optional[str] = None

decode, encode = msgspec.json.Decoder(Status).decode, msgspec.json.encode
with open(sys.argv[1], "rb") as lines, open(sys.argv[2], "wb") as out:
    for line in lines:
        out.write(encode(decode(line)) + b"\\n")
"""


def contenders(data: Path, out: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    python = sys.executable
    accelerated = {k: v for k, v in os.environ.items() if k != "JOBSTATUS_NO_ACCELERATOR"}
    exact = {**accelerated, "JOBSTATUS_NO_ACCELERATOR": "1"}
    validate = [python, "-m", "jobstatus", "validate", "--no-progress", str(data)]
    return {
        "cli_fast": (validate, accelerated),
        "cli_exact": (validate, exact),
        "bare_loop": ([python, "-c", BARE_LOOP, str(data), str(out), str(BENCH)], accelerated),
        "msgspec_loop": ([python, "-c", MSGSPEC_LOOP, str(data), str(out)], accelerated),
    }


def child_cpu(command: list[str], env: dict[str, str], out: Path) -> float:
    """The CPU seconds (user + system) of one child run; the command line writes to stdout, the
    scripts to the path they are given."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out if "jobstatus" in command else os.devnull, "ab") as stdout:
        subprocess.run(command, env=env, stdout=stdout, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(lines: int = LINES, rounds: int = ROUNDS) -> dict[str, Any]:
    canonical, _ = make_documents()
    with tempfile.TemporaryDirectory() as folder:
        data, out = Path(folder) / "statuses.ndjson", Path(folder) / "out.ndjson"
        with open(data, "wb") as file:
            for number in range(lines):
                file.write(canonical[number % len(canonical)] + b"\n")
        runs = contenders(data, out)
        outputs = {}
        for name, (command, env) in runs.items():  # a first run of each: warm caches, check outputs
            out.unlink(missing_ok=True)
            child_cpu(command, env, out)
            outputs[name] = out.read_bytes().count(b"\n")
        if set(outputs.values()) != {lines}:
            raise RuntimeError(f"the contenders wrote different line counts: {outputs}")
        seconds: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(rounds):
            for name, (command, env) in runs.items():
                out.unlink()
                seconds[name].append(child_cpu(command, env, out))
    median = {name: statistics.median(values) for name, values in seconds.items()}
    return {"lines": lines, "rounds": rounds, "cpu_seconds": median, "all_cpu_seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lines", type=int, default=LINES)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    result = measure(args.lines, args.rounds)
    cpu = result["cpu_seconds"]
    for name, value in cpu.items():
        print(f"{name:>13}: {value:.2f} s CPU, {cpu['bare_loop'] / value:.2f}x the bare loop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
