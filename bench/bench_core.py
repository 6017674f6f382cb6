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
  against the baseline's `model_validate`;
- `source_value` read by a pure pydantic-core schema on JSON input (strict leaves, finite floats,
  containers `CORE_LEVELS` deep), against today's one Python check per value: the schema alone
  (the ceiling: it has no way back to the exact validator), and the one shape that gets back to it
  with today's errors, a wrap validator. A union of the schema and a fallback is not measured as a
  candidate: its errors are not today's (`check_core_shapes` shows why).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional, Union

from pydantic import BaseModel, GetCoreSchemaHandler, TypeAdapter, ValidationError
from pydantic_core import core_schema

from jobstatus import JobStatus, JobStatusValue, SourceValue

DOCUMENTS = 20_000
ROUNDS = 9


# The plain `(str, Enum)` style peers and users write, with the same members as JobStatusValue.
BareValue = Enum("BareValue", {member.name: member.value for member in JobStatusValue}, type=str)


class BareStatus(BaseModel):
    source_value: Optional[Union[str, float, bool, dict[str, Any], list[Any]]] = None
    value: Optional[BareValue] = None


CORE_LEVELS = 3  # containers the pure-core schema reads before it refuses (the documents nest one)


def core_source_value(levels: int = CORE_LEVELS) -> core_schema.CoreSchema:
    """A JSON value in pydantic-core alone: strict leaves, finite floats, `levels` of containers.

    Left to right, not smart: on this pydantic-core a smart union of the five scalars costs about a
    tenth of a document even when its first member matches. Strict members keep kinds in order:
    `1` is refused by strict `str`, taken by strict `int`; `1.0` and `true` are refused by strict `int`.
    """
    scalars = [
        core_schema.str_schema(strict=True),
        core_schema.int_schema(strict=True),
        core_schema.float_schema(strict=True, allow_inf_nan=False),
        core_schema.bool_schema(strict=True),
        core_schema.none_schema(),
    ]
    node = core_schema.union_schema(list(scalars), mode="left_to_right")
    for _ in range(levels):
        containers = [
            core_schema.dict_schema(core_schema.str_schema(strict=True), node, strict=True),
            core_schema.list_schema(node, strict=True),
        ]
        node = core_schema.union_schema([*scalars, *containers], mode="left_to_right")
    return node


_EXACT = TypeAdapter(SourceValue)  # today's path, whose answers and errors the shapes must keep


def _exact_after_refusal(value: Any, handler: core_schema.ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        return _EXACT.validate_python(value)


def _union_fallback(value: Any) -> Any:
    return _EXACT.validate_python(value)


class CoreShape:
    """`source_value` with `json` on JSON input and today's schema on Python input."""

    def __init__(self, json: core_schema.CoreSchema) -> None:
        self.json = json

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.json_or_python_schema(
            json_schema=self.json,
            python_schema=handler.generate_schema(SourceValue),
            serialization=core_schema.simple_ser_schema("any"),
        )


class CoreOnly(JobStatus):
    """The ceiling: no Python call, and no exact answer for what it refuses."""

    source_value: Annotated[Any, CoreShape(core_source_value())] = None


class CoreThenExact(JobStatus):
    """Exact: a wrap validator runs today's path when the pure-core schema refuses."""

    source_value: Annotated[
        Any, CoreShape(core_schema.no_info_wrap_validator_function(_exact_after_refusal, core_source_value()))
    ] = None


class CoreOrExact(JobStatus):
    """A left-to-right union of the pure-core schema and today's path: fast, but not exact."""

    source_value: Annotated[
        Any,
        CoreShape(
            core_schema.union_schema(
                [core_source_value(), core_schema.no_info_plain_validator_function(_union_fallback)],
                mode="left_to_right",
            )
        ),
    ] = None


REFUSED = [b'{"source_value": NaN}', b'{"source_value": [1, {"k": Infinity}]}', b'{"source_value": 1e400}']


def _errors(model: type[BaseModel], document: bytes) -> str:
    try:
        model.model_validate_json(document)
    except ValidationError as error:
        return repr(error.errors(include_url=False))  # repr: a NaN input is not equal to itself
    raise AssertionError(f"{document!r} was accepted")


def check_core_shapes(canonical: list[bytes]) -> None:
    """Every shape reads the documents as JobStatus does; on refused input the wrap keeps today's
    errors, and the union does not (pydantic-core reports every member's errors, each under its
    member's name, when all fail: 8 errors for a top-level NaN instead of one at "number")."""
    for document in canonical:
        dumped = JobStatus.model_validate_json(document).model_dump_json()
        for model in (CoreOnly, CoreThenExact, CoreOrExact):
            assert model.model_validate_json(document).model_dump_json() == dumped
    for document in REFUSED:
        assert _errors(CoreThenExact, document) == _errors(JobStatus, document)
        assert _errors(CoreOrExact, document) != _errors(JobStatus, document)


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
    check_core_shapes(canonical)
    rates = best_of(
        {
            "baseline": per_document(BareStatus, canonical),
            "canonical": per_document(JobStatus, canonical),
            "folding": per_document(JobStatus, folding),
            "baseline (python)": per_object(BareStatus, canonical),
            "canonical (python)": per_object(JobStatus, canonical),
            "folding (python)": per_object(JobStatus, folding),
            "core only": per_document(CoreOnly, canonical),
            "core, then exact": per_document(CoreThenExact, canonical),
            "core | exact": per_document(CoreOrExact, canonical),
        }
    )
    print(f"per-document validation, {DOCUMENTS} documents, best of {ROUNDS} rounds of CPU time")
    print(f"{'run':<20}{'docs/s':>12}{'vs baseline':>14}{'vs canonical':>14}")
    for name, rate in rates.items():
        print(
            f"{name:<20}{rate:>12,.0f}{rate / _baseline(rates, name):>13.2f}x{rate / _canonical(rates, name):>13.2f}x"
        )
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
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "core.md").write_text(results_markdown(rates, times), encoding="utf-8")
    print(f"wrote {RESULTS / 'core.md'} (make docs puts it in the README)")


RESULTS = Path(__file__).resolve().parent / "results"

# What each run is, as the README names it.
_LABELS = {
    "baseline": "baseline, `model_validate_json`",
    "canonical": "`JobStatus`, canonical input",
    "folding": '`JobStatus`, every `value` respelled (`"On Hold"`, `"onHold"`, `" ON_HOLD "`, ...)',
    "baseline (python)": "baseline, `model_validate` of the parsed documents (how FastAPI validates a body)",
    "canonical (python)": "`JobStatus`, `model_validate`, canonical",
    "folding (python)": "`JobStatus`, `model_validate`, respelled",
    "core only": "`source_value` by a pure pydantic-core schema, no way back to the exact validator (`core only`)",
    "core, then exact": "the same, then the exact validator where it refuses, by a wrap validator (`core, then exact`)",
    "core | exact": "a union of the pure schema and the exact validator (`core \\| exact`: its errors differ)",
}


def _baseline(rates: dict[str, float], name: str) -> float:
    return rates["baseline (python)" if name.endswith("(python)") else "baseline"]


def _canonical(rates: dict[str, float], name: str) -> float:
    return rates["canonical (python)" if name.endswith("(python)") else "canonical"]


def results_markdown(rates: dict[str, float], times: dict[str, float]) -> str:
    """The run as the README shows it: the command, the table, the import times."""
    rows = [
        f"| {_LABELS[name]} | {rate:,.0f} | {rate / _baseline(rates, name):.2f}x "
        f"| {rate / _canonical(rates, name):.2f}x |"
        for name, rate in rates.items()
    ]
    imports = "; ".join(f"`{label}` {ms:.0f} ms" for label, ms in times.items())
    return "\n".join(
        [
            f"`make bench` (`bench/bench_core.py`), {datetime.date.today().isoformat()}, Python "
            f"{platform.python_version()}: {DOCUMENTS:,} documents, CPU time, best of {ROUNDS} interleaved rounds.",
            "",
            "| run | docs/s | vs baseline | vs `JobStatus` canonical |",
            "| --- | ---: | ---: | ---: |",
            *rows,
            "",
            f"Import, median CPU time of a fresh interpreter: {imports}.",
            "",
        ]
    )


if __name__ == "__main__":
    main()
