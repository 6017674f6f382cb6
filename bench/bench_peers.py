"""JobStatus next to the peers' SDK styles, JSON Schema validators and msgspec: speed and correctness.

Run with `make bench` (`python bench/bench_peers.py --memory-gb 1`). One process, the same generated
documents as bench_core.py for every contender, best of ROUNDS interleaved rounds; every figure
that matters is a ratio within the run. Needs the `bench` extra (`pip install -e ".[bench]"`).

Contenders, all reading the same JSON bytes, one document at a time unless said otherwise:
- `JobStatus` on canonical documents and on documents whose `value` is respelled ("On Hold");
  in bulk through `jobstatus.bulk.validate_lines` / `summarize_lines` over the same lines;
- the bare pydantic model of bench_core.py (the baseline);
- the peers' SDK styles for an open enum, built from their installed packages' own classes (the
  metaclass, validator, fallback type and base model), with our ten values so that every
  canonical `value` is known to them too; `source_value` typed as their generator types the
  upstream `oneOf [string, number, boolean, object, array]`;
- Merge's SDK (mergepythonclient 4.x, pydantic): its `Job` model's base, config and `status` type
  (`Union[JobStatusEnum, str]`, its own members), with `Any` raw data;
- jsonschema, fastjsonschema and jsonschema-rs validating our exported schema, `json.loads` included;
- msgspec, a Struct of the same shape with a closed enum: the ceiling.

Correctness: each contender reads the fixed CASES; a case is right when the outcome matches the
expectation in the table (kinds compared exactly: `True` is not `1`, `1` is not `1.0`).

With `--memory-gb N`, bench_memory.py also measures the peak RSS of `summarize_lines` over a
generated file of N GiB. Results: bench/results/peers.json, peers.md (the README's table) and
peers.png.
"""

import argparse
import datetime
import importlib.metadata
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

from bench_core import BareStatus, make_documents
from pydantic import BaseModel, ConfigDict, PlainValidator
from typing_extensions import TypeAliasType

from jobstatus import JobStatus, JobStatusValue, json_schema
from jobstatus._fast import DISABLE_VARIABLE, fast_available
from jobstatus.bulk import ValidLine, summarize_lines, validate_lines

ROUNDS = 9
RESULTS = Path(__file__).parent / "results"
COMMAND = "make bench"  # runs `python bench/bench_peers.py --memory-gb 1`
MEMORY_LIMIT_MB = 200  # peak RSS while validating a 1 GB file


@dataclass(frozen=True)
class Outcome:
    """What a contender made of one accepted document: its `source_value` and `value`."""

    source_value: Any = None
    value: Any = None


Decode = Callable[[bytes], Outcome]  # raises for a rejected document


# --- the correctness cases: input and expected outcome, fixed ---------------------------------------

_KEEP = object()  # "this part of the outcome is not checked"


@dataclass(frozen=True)
class Case:
    name: str
    document: bytes
    accepted: bool = True
    source_value: Any = _KEEP
    value: Any = _KEEP


CASES = [
    Case("integer kept", b'{"source_value": 3, "value": "open"}', source_value=3),
    Case("boolean kept", b'{"source_value": true, "value": "closed"}', source_value=True),
    Case(
        "object contents kept",
        b'{"source_value": {"id": 3, "name": "Open", "active": true, "tags": [1, 2.5]}, "value": "open"}',
        source_value={"id": 3, "name": "Open", "active": True, "tags": [1, 2.5]},
    ),
    Case('"On Hold" recognized', b'{"source_value": "On Hold", "value": "On Hold"}', value="on_hold"),
    Case("unknown value kept", b'{"source_value": "Frozen", "value": "Frozen"}', value="Frozen"),
    Case("NaN rejected", b'{"source_value": NaN, "value": "open"}', accepted=False),
]


def same_json(got: Any, expected: Any) -> bool:
    """Equal and of the same JSON kind all the way down (bool, int and float told apart)."""
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and got.keys() == expected.keys()
            and all(same_json(got[key], item) for key, item in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(got, list)
            and len(got) == len(expected)
            and all(same_json(a, b) for a, b in zip(got, expected, strict=True))
        )
    return type(got) is type(expected) and got == expected


def plain_value(value: Any) -> Any:
    """An enum member as its string; anything else as it is."""
    return value.value if isinstance(value, Enum) else value


def judge(decode: Decode) -> dict[str, bool]:
    results = {}
    for case in CASES:
        try:
            outcome = decode(case.document)
        except Exception:  # every library has its own error class; any rejection counts
            results[case.name] = not case.accepted
            continue
        right = case.accepted
        if right and case.source_value is not _KEEP:
            right = same_json(outcome.source_value, case.source_value)
        if right and case.value is not _KEEP:
            got = plain_value(outcome.value)
            right = isinstance(got, str) and got == case.value  # a str subclass (Kombo's UnrecognizedStr) counts
        results[case.name] = right
    return results


# --- the contenders ---------------------------------------------------------------------------------

VALUES = [member.value for member in JobStatusValue]
ENUM_MEMBERS = {member.name: member.value for member in JobStatusValue}
# How Speakeasy's generator types the upstream `oneOf [string, number, boolean, object, array]`
# (as Kombo's SDK types `oneOf [string, number]`: a TypeAliasType over a smart Union).
SpeakeasySourceValue = TypeAliasType("SpeakeasySourceValue", Union[str, float, bool, dict[str, Any], list[Any]])


@dataclass
class Contender:
    key: str
    label: str
    kind: str  # ours, baseline, peer, schema, ceiling
    make_run: Callable[[list[bytes]], Callable[[], None]]
    decode: Decode
    input: str = "canonical"
    mode: str = "per document"
    correct: dict[str, bool] = field(default_factory=dict)


def model_contender(key: str, label: str, kind: str, model: type[BaseModel], **extra: Any) -> Contender:
    validate = model.model_validate_json

    def make_run(documents: list[bytes]) -> Callable[[], None]:
        def run() -> None:
            for document in documents:
                validate(document)

        return run

    def decode(document: bytes) -> Outcome:
        status: Any = validate(document)
        return Outcome(status.source_value, status.value)

    return Contender(key, label, kind, make_run, decode, **extra)


def bulk_contenders() -> list[Contender]:
    def validate_run(documents: list[bytes]) -> Callable[[], None]:
        def run() -> None:
            for _ in validate_lines(documents):
                pass

        return run

    def summarize_run(documents: list[bytes]) -> Callable[[], None]:
        def run() -> None:
            summarize_lines(documents)

        return run

    # summarize_lines counts what validate_lines yields and keeps no document, so both are judged
    # by the documents validate_lines gives.
    def decode(document: bytes) -> Outcome:
        (result,) = validate_lines([document])
        if not isinstance(result, ValidLine):
            raise ValueError(result)
        status: Any = result.document
        return Outcome(status.source_value, status.value)

    def exact(make_run: Callable[[list[bytes]], Callable[[], None]]) -> Callable[[list[bytes]], Callable[[], None]]:
        """The same run with the accelerator turned off, as users turn it off."""

        def make_exact_run(documents: list[bytes]) -> Callable[[], None]:
            run = make_run(documents)

            def exact_run() -> None:
                os.environ[DISABLE_VARIABLE] = "1"
                try:
                    run()
                finally:
                    del os.environ[DISABLE_VARIABLE]

            return exact_run

        return make_exact_run

    off = " (accelerator off)"
    return [
        Contender("bulk", "`JobStatus`, bulk `validate_lines`", "ours", validate_run, decode, mode="bulk"),
        Contender(
            "bulk_exact", f"`JobStatus`, bulk `validate_lines`{off}", "ours", exact(validate_run), decode, mode="bulk"
        ),
        Contender(
            "bulk_respelled",
            "`JobStatus`, bulk `validate_lines`",
            "ours",
            validate_run,
            decode,
            input="respelled",
            mode="bulk",
        ),
        Contender("bulk_summarize", "`JobStatus`, bulk `summarize_lines`", "ours", summarize_run, decode, mode="bulk"),
        Contender(
            "bulk_summarize_exact",
            f"`JobStatus`, bulk `summarize_lines`{off}",
            "ours",
            exact(summarize_run),
            decode,
            mode="bulk",
        ),
    ]


def version(distribution: str) -> str:
    return importlib.metadata.version(distribution)


def peer_contenders() -> tuple[list[Contender], list[str]]:
    """The peers' styles from their installed packages; the notes say which were missing."""
    contenders, notes = [], []
    try:
        from apideck_unify.types import BaseModel as ApideckBase
        from apideck_unify.utils import OpenEnumMeta as ApideckOpenEnumMeta
        from apideck_unify.utils import validate_open_enum
    except ImportError as error:
        notes.append(f"apideck-unify not installed ({error}): its row is left out")
    else:
        # As `Job.status` in apideck_unify/models/job.py: an open-enum class behind a PlainValidator
        # (utils/serializers.py, validate_open_enum) that keeps any string as it is.
        class ApideckOpenEnum(str, Enum, metaclass=ApideckOpenEnumMeta):  # type: ignore[misc]  # noqa: UP042
            pass

        ApideckValue = ApideckOpenEnum("ApideckValue", ENUM_MEMBERS)  # type: ignore[call-arg]

        class ApideckStatus(ApideckBase):  # type: ignore[misc]
            source_value: Optional[SpeakeasySourceValue] = None
            value: Annotated[Optional[ApideckValue], PlainValidator(validate_open_enum(False))] = None

        contenders.append(
            model_contender(
                "speakeasy_apideck",
                f"Speakeasy open enum, `OpenEnumMeta` + `PlainValidator` (apideck-unify {version('apideck-unify')})",
                "peer",
                ApideckStatus,
            )
        )
    try:
        from unified_python_sdk.types import BaseModel as UnifiedBase
        from unified_python_sdk.utils import OpenEnumMeta as UnifiedOpenEnumMeta
    except ImportError as error:
        notes.append(f"unified-python-sdk not installed ({error}): its row is left out")
    else:
        # As `AtsJob.status` in unified_python_sdk/models/shared/atsjob.py: the open-enum class as the
        # plain annotation.
        class UnifiedOpenEnum(str, Enum, metaclass=UnifiedOpenEnumMeta):  # type: ignore[misc]  # noqa: UP042
            pass

        UnifiedValue = UnifiedOpenEnum("UnifiedValue", ENUM_MEMBERS)  # type: ignore[call-arg]

        class UnifiedStatus(UnifiedBase):  # type: ignore[misc]
            source_value: Optional[SpeakeasySourceValue] = None
            value: Optional[UnifiedValue] = None

        contenders.append(
            model_contender(
                "speakeasy_unified",
                f"Speakeasy open enum, `OpenEnumMeta` (unified-python-sdk {version('unified-python-sdk')})",
                "peer",
                UnifiedStatus,
            )
        )
    try:
        from kombo.types import BaseModel as KomboBase
        from kombo.types import UnrecognizedStr
    except ImportError as error:
        notes.append(f"kombo not installed ({error}): its row is left out")
    else:
        # As `GetAtsJobsPositiveResponseStatus` in kombo/models/getatsjobspositiveresponse.py: the known
        # values as a Literal, UnrecognizedStr (kombo/types/basemodel.py, lax mode only) as the fallback.
        KomboValue = Union[Literal[tuple(VALUES)], UnrecognizedStr]  # type: ignore[misc]

        class KomboStatus(KomboBase):  # type: ignore[misc]
            source_value: Optional[SpeakeasySourceValue] = None
            value: Optional[KomboValue] = None  # type: ignore[valid-type]

        contenders.append(
            model_contender(
                "kombo",
                f"Kombo, `Union[Literal[...], UnrecognizedStr]` (kombo {version('kombo')})",
                "peer",
                KomboStatus,
            )
        )

    try:
        from merge.core.unchecked_base_model import UncheckedBaseModel as MergeBase
        from merge.resources.ats.types.job_status import JobStatus as MergeJobStatus
    except ImportError as error:
        notes.append(f"mergepythonclient not installed ({error}): its row is left out")
    else:
        # As `Job` in merge/resources/ats/types/job.py (mergepythonclient 4.x, Fern, pydantic): its base
        # and config, `status` typed `JobStatus = Union[JobStatusEnum, str]` (its own five upper-case
        # members, so our values are kept as strings), and the raw data free-form (`Any`).
        class MergeStatus(MergeBase):  # type: ignore[misc]
            source_value: Optional[Any] = None
            value: Optional[MergeJobStatus] = None
            model_config = ConfigDict(extra="allow", frozen=True)

        contenders.append(
            model_contender(
                "merge",
                f"Merge SDK, `Union[JobStatusEnum, str]` (mergepythonclient {version('mergepythonclient')})",
                "peer",
                MergeStatus,
            )
        )
    return contenders, notes


def loads_then(check: Callable[[Any], bool]) -> tuple[Callable[[list[bytes]], Callable[[], None]], Decode]:
    """A schema validator's run and decode, `json.loads` counted; invalid documents are rejections."""
    loads = json.loads

    def make_run(documents: list[bytes]) -> Callable[[], None]:
        def run() -> None:
            for document in documents:
                check(loads(document))

        return run

    def decode(document: bytes) -> Outcome:
        data = loads(document)
        if not check(data):
            raise ValueError("invalid")
        return Outcome(data.get("source_value"), data.get("value"))

    return make_run, decode


def schema_contenders() -> tuple[list[Contender], list[str]]:
    contenders, notes = [], []
    schema = json_schema(JobStatus)
    import jsonschema

    is_valid = jsonschema.Draft202012Validator(schema).is_valid
    contenders.append(
        Contender("jsonschema", f"jsonschema {version('jsonschema')} + `json.loads`", "schema", *loads_then(is_valid))
    )
    try:
        import fastjsonschema
    except ImportError as error:
        notes.append(f"fastjsonschema not installed ({error}): its row is left out")
    else:
        validate = fastjsonschema.compile(schema)

        def fast_is_valid(data: Any) -> bool:
            try:
                validate(data)
            except fastjsonschema.JsonSchemaValueException:
                return False
            return True

        contenders.append(
            Contender(
                "fastjsonschema",
                f"fastjsonschema {version('fastjsonschema')} + `json.loads`",
                "schema",
                *loads_then(fast_is_valid),
            )
        )
    try:
        import jsonschema_rs
    except ImportError as error:
        notes.append(f"jsonschema-rs not installed ({error}): its row is left out")
    else:
        contenders.append(
            Contender(
                "jsonschema_rs",
                f"jsonschema-rs {version('jsonschema-rs')} + `json.loads`",
                "schema",
                *loads_then(jsonschema_rs.validator_for(schema).is_valid),
            )
        )
    return contenders, notes


def msgspec_contender() -> tuple[list[Contender], list[str]]:
    try:
        import msgspec
    except ImportError as error:
        return [], [f"msgspec not installed ({error}): its row is left out"]

    MsgspecValue = Enum("MsgspecValue", ENUM_MEMBERS, type=str)  # type: ignore[misc]

    class MsgspecStatus(msgspec.Struct):
        source_value: Union[str, int, float, bool, dict[str, Any], list[Any], None] = None
        value: Optional[MsgspecValue] = None  # type: ignore[valid-type]

    decode_json = msgspec.json.Decoder(MsgspecStatus).decode

    def make_run(documents: list[bytes]) -> Callable[[], None]:
        def run() -> None:
            for document in documents:
                decode_json(document)

        return run

    def decode(document: bytes) -> Outcome:
        status = decode_json(document)
        return Outcome(status.source_value, status.value)

    label = f"msgspec {version('msgspec')} `Struct`, closed enum (the ceiling)"
    return [Contender("msgspec", label, "ceiling", make_run, decode)], []


def all_contenders() -> tuple[list[Contender], list[str]]:
    ours = [
        model_contender("canonical", "`JobStatus`, per document", "ours", JobStatus),
        model_contender("respelled", "`JobStatus`, per document", "ours", JobStatus, input="respelled"),
        *bulk_contenders(),
        model_contender("bare", "bare pydantic model (bench_core.py's baseline)", "baseline", BareStatus),
    ]
    notes: list[str] = []
    contenders = list(ours)
    for group in (peer_contenders, schema_contenders, msgspec_contender):
        found, missing = group()
        contenders.extend(found)
        notes.extend(missing)
    return contenders, notes


# --- measuring --------------------------------------------------------------------------------------


def best_of(runs: dict[str, Callable[[], None]], documents: int, rounds: int) -> dict[str, float]:
    """Documents per CPU second (this process's, `time.process_time`) for each run, best of
    `rounds`, the runs interleaved round by round."""
    best = dict.fromkeys(runs, math.inf)
    for _ in range(rounds):
        for name, run in runs.items():
            started = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - started)
    return {name: documents / seconds for name, seconds in best.items()}


def check_accepts(contender: Contender, documents: Iterable[bytes]) -> None:
    """Timing a contender that rejects some input would time its error path: refuse to."""
    for document in documents:
        contender.decode(document)


@dataclass(frozen=True)
class Target:
    name: str
    ratio: float
    needed: float | None  # None: reported only

    @property
    def met(self) -> bool | None:
        return None if self.needed is None else self.ratio >= self.needed


def cli_targets(cli: dict[str, Any]) -> list[Target]:
    """`jobstatus validate FILE > out` against the scripts (bench_cli.py): CPU seconds, so the
    ratio is the script's time over the command's."""
    cpu = cli["cpu_seconds"]
    found = []
    for key, name, needed in (("cli_fast", "", 2.0), ("cli_exact", " (accelerator off)", 1.2)):
        label = f"`jobstatus validate`{name} writing NDJSON"
        found.append(Target(f"{label} vs the bare loop script", cpu["bare_loop"] / cpu[key], needed))
        found.append(Target(f"{label} vs msgspec decoding alone", cpu["msgspec_loop"] / cpu[key], None))
    return found


def targets(rates: dict[str, float], contenders: list[Contender]) -> list[Target]:
    ours = rates["canonical"]
    found = []
    for contender in contenders:
        if contender.kind == "peer":
            found.append(Target(f"per document: `JobStatus` vs {contender.label}", ours / rates[contender.key], 1.0))
    for key, needed in (("jsonschema_rs", 1.0), ("fastjsonschema", 2.0), ("jsonschema", 10.0)):
        if key in rates:
            found.append(Target(f"per document: `JobStatus` vs {key.replace('_', '-')}", ours / rates[key], needed))
    bare = rates["bare"]
    for key, function, needed in (
        ("bulk", "`validate_lines`", 1.2),
        ("bulk_summarize", "`summarize_lines`", 4.0),
        ("bulk_exact", "`validate_lines` (accelerator off)", None),
        ("bulk_summarize_exact", "`summarize_lines` (accelerator off)", None),
    ):
        found.append(Target(f"bulk {function} vs the bare model per document", rates[key] / bare, needed))
        if "msgspec" in rates:
            found.append(Target(f"bulk {function} vs msgspec decoding alone", rates[key] / rates["msgspec"], None))
    return found


# --- reporting --------------------------------------------------------------------------------------


def markdown(
    rows: list[dict[str, Any]], found: list[Target], memory: dict[str, Any] | None, meta: dict[str, Any]
) -> str:
    lines = [
        f"`{COMMAND}` (`bench/bench_peers.py`), {meta['date']}, Python {meta['python']}: "
        f"{meta['documents']:,} generated documents, CPU time (`time.process_time`), best of "
        f"{meta['rounds']} interleaved rounds; `jobstatus validate`: {meta['cli_lines']:,} lines, "
        "CPU time of child processes, median of 5 paired runs (`bench/bench_cli.py`). "
        f"`vs bare`: docs/s over the bare pydantic model's; `JobStatus ÷ this`: `JobStatus`'s docs/s "
        f"(per document, canonical) over this run's; `correct`: of the {len(CASES)} tricky cases "
        f"({', '.join(case.name for case in CASES)}).",
        "",
        "| run | input | docs/s | vs bare | `JobStatus` ÷ this | correct |",
        "| --- | --- | ---: | ---: | ---: | :---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['label']} | {row['input']} | {row['docs_per_s']:,.0f} | {row['vs_bare']:.2f}x "
            f"| {row['jobstatus_vs_this']:.2f}x | {row['correct']}/{len(CASES)} |"
        )
    lines += [
        "",
        "| run | " + " | ".join(case.name for case in CASES) + " |",
        "| --- |" + " :---: |" * len(CASES),
    ]
    seen = {"`JobStatus`, bulk `summarize_lines`"}  # its documents are validate_lines' (it only counts them)
    for row in rows:
        if row["label"] in seen:  # the same code on other input: the same answers
            continue
        seen.add(row["label"])
        marks = " | ".join("yes" if row["cases"][case.name] else "no" for case in CASES)
        lines.append(f"| {row['label']} | {marks} |")
    lines += ["", "| target | ratio | needed | met |", "| --- | ---: | ---: | :---: |"]
    for target in found:
        needed = "report" if target.needed is None else f"≥ {target.needed:g}x"
        met = "" if target.met is None else ("yes" if target.met else "**no**")
        lines.append(f"| {target.name} | {target.ratio:.2f}x | {needed} | {met} |")
    if memory is not None:
        lines += [
            "",
            f"Memory: `summarize_lines` (accelerated) over a generated {memory['file_mb']:,.0f} MB NDJSON file "
            f"({memory['lines']:,} lines) in a child process: peak RSS {memory['peak_rss_mb']:.0f} MB "
            f"(after `import jobstatus`: {memory['import_rss_mb']:.0f} MB), "
            f"{memory['seconds']:.0f} s ({memory['lines'] / memory['seconds']:,.0f} lines/s); "
            f"target under {memory['limit_mb']} MB: {'met' if memory['met'] else '**not met**'}.",
        ]
    return "\n".join(lines) + "\n"


COLOURS = {"ours": "#2b6cb0", "baseline": "#718096", "peer": "#dd6b20", "schema": "#38a169", "ceiling": "#805ad5"}


def chart(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ordered = list(reversed(rows))
    figure, axes = plt.subplots(figsize=(11, 0.42 * len(rows) + 1.2))
    labels = [f"{row['label'].replace('`', '')} ({row['input']})" for row in ordered]
    rates = [row["docs_per_s"] for row in ordered]
    axes.barh(labels, rates, color=[COLOURS[row["kind"]] for row in ordered])
    axes.set_xscale("log")
    axes.set_xlabel("documents per second (log scale)")
    axes.set_title(f"job-status validation: documents per second (correct cases out of {len(CASES)})")
    for position, row in enumerate(ordered):
        axes.text(
            row["docs_per_s"] * 1.05,
            position,
            f"{row['docs_per_s']:,.0f}  ({row['correct']}/{len(CASES)})",
            va="center",
            fontsize=8,
        )
    axes.set_xlim(right=max(rates) * 6)
    axes.tick_params(axis="y", labelsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--memory-gb", type=float, default=0.0, help="also measure peak RSS on a file this big (0: no)")
    parser.add_argument("--cli-lines", type=int, default=200_000, help="lines of the command-line run (0: none)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where peers.json, peers.md and peers.png go")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()[0]
    canonical, respelled = make_documents()
    inputs = {"canonical": canonical, "respelled": respelled}
    contenders, notes = all_contenders()
    for contender in contenders:
        check_accepts(contender, inputs[contender.input])
        contender.correct = judge(contender.decode)
    rates = best_of(
        {contender.key: contender.make_run(inputs[contender.input]) for contender in contenders},
        len(canonical),
        args.rounds,
    )
    load_after = os.getloadavg()[0]
    rows = [
        {
            "key": contender.key,
            "label": contender.label,
            "kind": contender.kind,
            "input": contender.input,
            "mode": contender.mode,
            "docs_per_s": rates[contender.key],
            "vs_bare": rates[contender.key] / rates["bare"],
            "jobstatus_vs_this": rates["canonical"] / rates[contender.key],
            "correct": sum(contender.correct.values()),
            "cases": contender.correct,
        }
        for contender in contenders
    ]
    found = targets(rates, contenders)
    cli = None
    if args.cli_lines > 0:
        from bench_cli import measure as measure_cli

        cli = measure_cli(args.cli_lines)
        found += cli_targets(cli)
    memory = None
    if args.memory_gb > 0:
        from bench_memory import measure

        memory = measure(args.memory_gb)
        memory.update(limit_mb=MEMORY_LIMIT_MB, met=memory["peak_rss_mb"] < MEMORY_LIMIT_MB)
    meta = {
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "pydantic": version("pydantic"),
        "machine": f"{platform.machine()}, {platform.system()}",
        "documents": len(canonical),
        "rounds": args.rounds,
        "command": COMMAND,
        "cli_lines": args.cli_lines,
        # Other processes on the machine skew the ratios: the one-minute load before and after.
        "load_average": [round(load_before, 2), round(load_after, 2)],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        **meta,
        "cases": [case.name for case in CASES],
        "rows": rows,
        "targets": [{"name": t.name, "ratio": t.ratio, "needed": t.needed, "met": t.met} for t in found],
        "memory": memory,
        "cli": cli,
        "accelerator": fast_available(),
        "notes": notes,
    }
    (args.out / "peers.json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(rows, found, memory, meta)
    (args.out / "peers.md").write_text(table)
    chart(rows, args.out / "peers.png")
    print(table)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
