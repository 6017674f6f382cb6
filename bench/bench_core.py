"""Per-document validation speed of JobStatus against a bare pydantic model of the same shape.

Run with `make bench`. Every figure is a ratio between runs in the same process on the same
inputs, so a busy or slow machine changes the absolute numbers but hardly the ratios.

- baseline: `Optional[Union[str, float, bool, dict, list]]` and `Optional[Enum]`, no folding and no
  kind preservation (its smart union turns nothing into anything only because the inputs are mild);
- canonical: JobStatus on the same documents, every `value` spelled canonically;
- folding: JobStatus on the same documents with every `value` respelled ("On Hold", "onHold", ...),
  compared with the baseline on the canonical documents (the bare enum would reject the respelled ones).
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
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


def best_of(runs: dict[str, Callable[[], None]]) -> dict[str, float]:
    """Documents per second for each run, best of ROUNDS, the runs interleaved round by round."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(ROUNDS):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    return {name: DOCUMENTS / seconds for name, seconds in best.items()}


def import_ms(statement: str, rounds: int = 15) -> float:
    """Median wall time of a fresh interpreter running `statement`, in milliseconds."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append(time.perf_counter() - started)
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
        }
    )
    print(f"per-document model_validate_json, {DOCUMENTS} documents, best of {ROUNDS} rounds")
    print(f"{'run':<12}{'docs/s':>12}{'vs baseline':>14}")
    for name, rate in rates.items():
        print(f"{name:<12}{rate:>12,.0f}{rate / rates['baseline']:>13.2f}x")
    # `import pydantic` alone loads little (its attributes are lazy); defining one model loads what
    # every pydantic application loads, so both are shown.
    bare = import_ms("import pydantic")
    one_model = import_ms("from pydantic import BaseModel\nclass M(BaseModel):\n    x: int = 0")
    ours = import_ms("import jobstatus")
    print(
        f"import: pydantic {bare:.0f} ms; pydantic with one model {one_model:.0f} ms; "
        f"jobstatus {ours:.0f} ms (+{ours - bare:.0f} ms, +{ours - one_model:.0f} ms)"
    )


if __name__ == "__main__":
    main()
