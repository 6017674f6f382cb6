"""Per-document validation speed of JobStatus against a bare pydantic model of the same shape.

Run with `make bench`. Every figure is a ratio between runs in the same process on the same
inputs, so a busy or slow machine changes the absolute numbers but hardly the ratios. Times are the
CPU time of the process (or of the child, for imports), not wall time: on a shared machine, time
spent waiting for a core would otherwise land on whichever run was unlucky.

- baseline: `Optional[Union[str, float, bool, dict, list]]` and `Optional[Enum]`, no folding and no
  kind preservation (its smart union turns nothing into anything only because the inputs are mild);
- canonical: JobStatus on the same documents, every `value` spelled canonically;
- folding: JobStatus on the same documents with every `value` respelled ("On Hold", "onHold", ...),
  compared with the baseline on the canonical documents (the bare enum would reject the respelled ones);
- the same three on the parsed documents with `model_validate` (how FastAPI validates a body),
  against the baseline's `model_validate`.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from enum import Enum
from typing import Any, Optional, Union

from pydantic import BaseModel

from jobstatus import JobStatus, JobStatusValue

DOCUMENTS = 20_000
ROUNDS = 9


# The plain `(str, Enum)` style peers and users write, with the same members as JobStatusValue.
BareValue = Enum("BareValue", {member.name: member.value for member in JobStatusValue}, type=str)


class BareStatus(BaseModel):
    source_value: Optional[Union[str, float, bool, dict[str, Any], list[Any]]] = None
    value: Optional[BareValue] = None


def realistic_source_value(rng: random.Random, value: str) -> Any:
    """Mostly the provider's label; sometimes a number, a flag, an object or a list, as providers send."""
    roll = rng.random()
    if roll < 0.70:
        return value.replace("_", " ").title()
    if roll < 0.80:
        return rng.randint(0, 120)
    if roll < 0.85:
        return rng.random() < 0.5
    if roll < 0.95:
        return {"id": rng.randint(1, 50), "name": value.title(), "color": "#33aa88"}
    return [value, rng.randint(0, 9)]


def respell(rng: random.Random, value: str) -> str:
    words = value.split("_")
    return rng.choice(
        [
            " ".join(word.title() for word in words),
            "-".join(words),
            words[0] + "".join(word.title() for word in words[1:]),
            f" {value.upper()} ",
        ]
    )


def make_documents(seed: int = 7) -> tuple[list[bytes], list[bytes]]:
    rng = random.Random(seed)
    canonical, folding = [], []
    for _ in range(DOCUMENTS):
        value = rng.choice([member.value for member in JobStatusValue])
        source_value = realistic_source_value(rng, value)
        canonical.append(json.dumps({"source_value": source_value, "value": value}).encode())
        folding.append(json.dumps({"source_value": source_value, "value": respell(rng, value)}).encode())
    return canonical, folding


def per_document(model: type[BaseModel], documents: list[bytes]) -> Callable[[], None]:
    validate = model.model_validate_json

    def run() -> None:
        for document in documents:
            validate(document)

    return run


def per_object(model: type[BaseModel], documents: list[bytes]) -> Callable[[], None]:
    validate = model.model_validate
    parsed = [json.loads(document) for document in documents]

    def run() -> None:
        for data in parsed:
            validate(data)

    return run


def best_of(runs: dict[str, Callable[[], None]]) -> dict[str, float]:
    """Documents per CPU second for each run, best of ROUNDS, the runs interleaved round by round."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(ROUNDS):
        for name, run in runs.items():
            started = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - started)
    return {name: DOCUMENTS / seconds for name, seconds in best.items()}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def import_ms(statement: str, pycache: str, rounds: int = 15) -> float:
    """Median CPU time of a fresh interpreter running `statement`, in milliseconds.

    Bytecode is cached under `pycache`, as an installed package has it, even where the environment
    sets PYTHONDONTWRITEBYTECODE (compiling the package's sources would add about 10 ms).
    """
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-X", f"pycache_prefix={pycache}", "-c", statement]
    subprocess.run(command, check=True, env=env)  # writes the bytecode
    times = []
    for _ in range(rounds):
        started = _children_cpu()
        subprocess.run(command, check=True, env=env)
        times.append(_children_cpu() - started)
    return statistics.median(times) * 1000


def main() -> None:
    canonical, folding = make_documents()
    # Every document must be accepted, and the two models must agree on what they read.
    for document in canonical:
        assert JobStatus.model_validate_json(document).model_dump(mode="json") == json.loads(document)
        BareStatus.model_validate_json(document)
    rates = best_of(
        {
            "baseline": per_document(BareStatus, canonical),
            "canonical": per_document(JobStatus, canonical),
            "folding": per_document(JobStatus, folding),
            "baseline (python)": per_object(BareStatus, canonical),
            "canonical (python)": per_object(JobStatus, canonical),
            "folding (python)": per_object(JobStatus, folding),
        }
    )
    print(f"per-document validation, {DOCUMENTS} documents, best of {ROUNDS} rounds of CPU time")
    print(f"{'run':<20}{'docs/s':>12}{'vs baseline':>14}")
    for name, rate in rates.items():
        baseline = rates["baseline (python)" if name.endswith("(python)") else "baseline"]
        print(f"{name:<20}{rate:>12,.0f}{rate / baseline:>13.2f}x")
    # pydantic and jobstatus both load lazily: `import` alone loads little, and the first model is
    # where the cost is. So the first use of each is timed too.
    statements = {
        "import pydantic": "import pydantic",
        "import jobstatus": "import jobstatus",
        "pydantic with one model": "from pydantic import BaseModel\nclass M(BaseModel):\n    x: int = 0",
        "from jobstatus import JobStatus": "from jobstatus import JobStatus",
        "import every jobstatus name": "from jobstatus import *",
    }
    with tempfile.TemporaryDirectory() as pycache:
        times = {label: import_ms(statement, pycache) for label, statement in statements.items()}
    print(f"{'import (CPU time, median)':<34}{'ms':>6}{'vs import pydantic':>20}{'vs one model':>14}")
    for label, ms in times.items():
        versus_bare = ms - times["import pydantic"]
        versus_model = ms - times["pydantic with one model"]
        print(f"{label:<34}{ms:>6.0f}{versus_bare:>+19.0f} {versus_model:>+13.0f}")


if __name__ == "__main__":
    main()
