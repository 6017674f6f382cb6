"""`make consumers`: the published schemas as real consumer tools read them.

- Ajv 2020 (2020-12 and OpenAPI 3.1) and Ajv's draft-07 class with OpenAPI 3.0's `nullable` agree
  with the models on a generated corpus, except on the documented caveats, each named here;
- datamodel-code-generator's models, from each dialect, agree with ours and keep integers;
- json-schema-to-typescript and openapi-typescript output compiles with tsc against the README's
  examples, and the models' types can be re-exported together;
- Redocly CLI's recommended rules pass on the OpenAPI documents.

Usage: python tests/consumers/run.py SCHEMA_DIR [--codegen PATH] [--report-only]
(`--report-only` prints the agreement counts without failing: to measure another schema folder.)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from jobstatus import MAX_SOURCE_VALUE_DEPTH, JobPostingStatusValue, JobStatus, JobStatusValue, fold_status
from jobstatus.schema import DIALECTS, SCHEMA_MODELS

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
BIN = HERE / "node_modules" / ".bin"
SEEDS = range(4)
PER_SEED = 60

# The caveats, by name: where JSON Schema cannot say what the model checks, or JavaScript cannot
# hold what JSON carries. A case is tagged with the caveat its generator put in; a disagreement on
# an untagged case fails the run.
CAVEATS = {
    "spelling": "the strict models accept folded spellings ('On Hold') of the canonical values",
    "depth": "source_value and unknown keys nest at most MAX_SOURCE_VALUE_DEPTH (128) levels",
    "big-integer": "integers beyond 2**53 lose precision in JavaScript; beyond ~308 digits they parse as "
    "Infinity; beyond 4,300 digits the model refuses them",
    "unmapped": "a model generated from the schema keeps an unknown value where the unmapped models map it "
    "to unmapped_value (the validation schema accepts any string; the mapping is behaviour)",
    "lone-surrogate": "a string with an escaped lone surrogate ('\\ud800') is refused by the model",
}


def caveats_of(text: str) -> set[str]:
    """The caveats a JSON document touches, read from the document itself."""
    document = json.loads(text)
    found: set[str] = set()
    value = document.get("value")
    members = {member.value for member in (*JobStatusValue, *JobPostingStatusValue)}
    if isinstance(value, str) and value not in members and fold_status(value) in members:
        found.add("spelling")
    stack: list[tuple[Any, int]] = [(item, 0) for key, item in document.items() if key != "value"]
    stack.extend((key, 0) for key in document)
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth + 1 > MAX_SOURCE_VALUE_DEPTH:
                found.add("depth")
            children = [*item.values(), *item] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > 2**53:
            found.add("big-integer")
        elif isinstance(item, str) and re.search("[\ud800-\udfff]", item):
            found.add("lone-surrogate")
    return found


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _readme_examples() -> list[str]:
    """Every JSON object literal in the README that is a status document."""
    found = []
    for match in re.finditer(r"\{[^{}`]*(?:\{[^{}`]*\}[^{}`]*)*\}", (ROOT / "README.md").read_text(encoding="utf-8")):
        try:
            # Strict JSON only: the README also shows what the models refuse (`{"source_value": NaN}`),
            # which is not JSON and not for the consumers to judge.
            document = json.loads(match.group(), parse_constant=_not_json)
        except ValueError:
            continue
        if isinstance(document, dict) and set(document) & {"value", "source_value"}:
            found.append(json.dumps(document))
    return [*dict.fromkeys(["{}", *found])]


def _scalar(rng: random.Random) -> Any:
    return rng.choice(
        [
            None,
            True,
            False,
            0,
            1,
            -7,
            2**31,
            rng.randint(-(2**52), 2**52),
            rng.random() * 1000,
            1.0,
            -0.5,
            1e300,
            "",
            "On Hold",
            "x" * rng.randint(1, 8),
            "é✓",
        ]
    )


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 2 or roll < 0.6:
        return _scalar(rng)
    if roll < 0.8:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {f"k{index}": _value(rng, depth + 1) for index in range(rng.randint(0, 3))}


def _values_text(rng: random.Random) -> str:
    """A `value` member, as JSON text."""
    members = [member.value for member in (*JobStatusValue, *JobPostingStatusValue)]
    roll = rng.random()
    if roll < 0.4:
        return json.dumps(rng.choice(members))
    if roll < 0.55:
        member = rng.choice(members)
        return json.dumps(rng.choice([member.upper(), member.replace("_", " ").title()]))
    if roll < 0.75:
        return json.dumps(rng.choice(["Frozen", "", "closed ", "unknown"]))
    return json.dumps(_value(rng))


def _source_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.7:
        return json.dumps(_value(rng))
    if roll < 0.8:
        digits = rng.choice([17, 20, 309, 400, 4301])  # written as text: str() stops at 4,300 digits
        return rng.choice(["", "-"]) + "9" * digits
    if roll < 0.9:
        return json.dumps({"label": "\\ud800" + rng.choice(["", "x"])}).replace("\\\\", "\\")
    levels = rng.choice([128, 129, 250])
    return "[" * levels + "]" * levels


def corpus() -> list[tuple[str, str | None]]:
    """(JSON text, the caveats it touches or None): the README's examples, then seeded random documents."""
    cases = [*_readme_examples()]
    for seed in SEEDS:
        rng = random.Random(seed)
        for _ in range(PER_SEED):
            members = []
            for key, make in (("value", _values_text), ("source_value", _source_text), ("remote", _source_text)):
                if rng.random() < 0.7:
                    members.append(f'"{key}": {make(rng)}')
            cases.append("{" + ", ".join(members) + "}")
    return [(text, ",".join(sorted(caveats_of(text))) or None) for text in cases]


def _model_verdict(model: type[BaseModel], text: str) -> tuple[bool, str | None]:
    try:
        return True, model.model_validate_json(text).model_dump_json()
    except ValidationError:
        return False, None


def _ajv(schemas: dict[str, Any], cases: list[dict[str, str]]) -> list[bool | None]:
    answer = subprocess.run(
        ["node", str(HERE / "ajv_verdicts.mjs")],
        input=json.dumps({"schemas": schemas, "cases": cases}),
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(answer.stdout))


def check_validators(schema_dir: Path, report: Counter[str], failures: list[str]) -> None:
    cases = corpus()
    schemas, jobs, expected = {}, [], []
    for dialect in DIALECTS:
        for model in SCHEMA_MODELS:
            for mode in ("validation", "serialization"):
                key = f"{dialect}/{model.__name__}.{mode}"
                schemas[key] = json.loads((schema_dir / f"{key}.json").read_text(encoding="utf-8"))
            for text, caveat in cases:
                accepted, dumped = _model_verdict(model, text)
                jobs.append({"key": f"{dialect}/{model.__name__}.validation", "text": text})
                expected.append((accepted, caveat, f"{dialect} {model.__name__} accepts {text[:80]}"))
                if dumped is not None:  # what the model emits, its serialization schema accepts
                    jobs.append({"key": f"{dialect}/{model.__name__}.serialization", "text": dumped})
                    expected.append((True, caveat, f"{dialect} {model.__name__} emits {dumped[:80]}"))
    for verdict, (wanted, caveat, what) in zip(_ajv(schemas, jobs), expected, strict=True):
        tool = "Ajv (OpenAPI 3.0)" if what.startswith("openapi-3.0") else "Ajv 2020"
        if verdict == wanted:
            report[f"{tool}: agree"] += 1
        elif caveat is not None:
            report[f"{tool}: differ, caveat {caveat}"] += 1
        else:
            report[f"{tool}: differ, no caveat"] += 1
            failures.append(f"{tool} says {verdict} where the model says {wanted}: {what}")


def check_codegen(schema_dir: Path, codegen: Path, report: Counter[str], failures: list[str]) -> None:
    cases = corpus()
    with tempfile.TemporaryDirectory() as folder:
        for dialect in DIALECTS:
            for model in SCHEMA_MODELS:
                source = schema_dir / dialect / f"{model.__name__}.validation.json"
                target = Path(folder, f"{dialect.replace('-', '_').replace('.', '_')}_{model.__name__}.py")
                kind = "jsonschema" if dialect == "2020-12" else "openapi"
                subprocess.run(
                    [
                        *(str(codegen), "--input", str(source), "--input-file-type", kind, "--output", str(target)),
                        *("--output-model-type", "pydantic_v2.BaseModel", "--disable-timestamp"),
                    ],
                    check=True,
                    capture_output=True,
                )
                spec = importlib.util.spec_from_file_location(target.stem, target)
                assert spec is not None
                assert spec.loader is not None
                module = importlib.util.module_from_spec(spec)
                sys.modules[target.stem] = module  # its annotations resolve in its own module
                spec.loader.exec_module(module)
                generated = getattr(module, model.__name__, None) or module.Model
                for text, caveat in cases:
                    ours, dumped = _model_verdict(model, text)
                    theirs, their_dump = _model_verdict(generated, text)
                    # compared as text, so that `1` and `1.0` differ: generated models must keep integers
                    same = ours == theirs and (not ours or _canonical(dumped) == _canonical(their_dump))
                    if not same and ours and model.__name__.startswith("Unmapped"):
                        caveat = ",".join(filter(None, [caveat, "unmapped"]))
                    tool = f"datamodel-codegen ({dialect})"
                    if same:
                        report[f"{tool}: agree"] += 1
                    elif caveat is not None:
                        report[f"{tool}: differ, caveat {caveat}"] += 1
                    else:
                        report[f"{tool}: differ, no caveat"] += 1
                        failures.append(f"{tool} {model.__name__}: ours {dumped} theirs {their_dump} for {text[:80]}")


def _canonical(text: str | None) -> str:
    return json.dumps(json.loads(text or "null"), sort_keys=True)


def check_typescript(schema_dir: Path, failures: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        names = [model.__name__ for model in SCHEMA_MODELS]
        for name in names:
            source = schema_dir / "2020-12" / f"{name}.validation.json"
            _run([str(BIN / "json2ts"), "-i", str(source), "-o", str(out / f"{name}.ts")], failures)
            _run(
                [
                    str(BIN / "openapi-typescript"),
                    str(schema_dir / "openapi-3.1" / f"{name}.validation.json"),
                    "-o",
                    str(out / f"{name}.openapi31.ts"),
                ],
                failures,
            )
            _run(
                [
                    str(BIN / "openapi-typescript"),
                    str(schema_dir / "openapi-3.0" / f"{name}.validation.json"),
                    "-o",
                    str(out / f"{name}.openapi30.ts"),
                ],
                failures,
            )
        examples = [text for text in _readme_examples() if _model_verdict(JobStatus, text)[0]]
        # Models of different vocabularies re-exported together; the policies of one vocabulary share
        # its enum's type, so those are re-exported by name.
        lines = ['export * from "./JobStatus";', 'export * from "./JobPostingStatus";']
        lines += [
            f'export type {{ {name} }} from "./{name}";' for name in names if name.startswith(("Strict", "Unmapped"))
        ]
        for name in names:
            lines.append(f'import type {{ {name} as S_{name} }} from "./{name}";')
            for suffix in ("openapi31", "openapi30"):
                lines.append(f'import type {{ components as {suffix}_{name} }} from "./{name}.{suffix}";')
        for index, text in enumerate(examples):
            for name in ("JobStatus", "UnmappedJobStatus"):
                lines.append(f"export const s{index}_{name}: S_{name} = {text};")
                for suffix in ("openapi31", "openapi30"):
                    lines.append(f'export const {suffix}{index}_{name}: {suffix}_{name}["schemas"]["{name}"] = {text};')
        (out / "examples.ts").write_text("\n".join(lines) + "\n", encoding="utf-8")
        _run(
            [
                str(BIN / "tsc"),
                "--strict",
                "--noEmit",
                "--target",
                "es2022",
                "--module",
                "nodenext",
                str(out / "examples.ts"),
            ],
            failures,
        )


def check_redocly(schema_dir: Path, failures: list[str]) -> None:
    documents = sorted(
        str(path) for dialect in ("openapi-3.1", "openapi-3.0") for path in (schema_dir / dialect).glob("*.json")
    )
    _run([str(BIN / "redocly"), "lint", "--config", str(HERE / "redocly.yaml"), *documents], failures)


def _run(argv: list[str], failures: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, cwd=HERE)
    if done.returncode != 0:
        failures.append(f"{Path(argv[0]).name} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def main() -> int:
    sys.set_int_max_str_digits(0)  # the corpus's longest integers are read to tag them
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("schema_dir", type=Path)
    parser.add_argument("--codegen", type=Path, help="the datamodel-codegen executable")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    args.schema_dir = args.schema_dir.resolve()
    report: Counter[str] = Counter()
    failures: list[str] = []
    check_validators(args.schema_dir, report, failures)
    if args.codegen:
        check_codegen(args.schema_dir, args.codegen, report, failures)
    if not args.report_only:
        check_typescript(args.schema_dir, failures)
        check_redocly(args.schema_dir, failures)
    for line, count in sorted(report.items()):
        print(f"{count:6,}  {line}")
    for name, text in CAVEATS.items():
        print(f"caveat {name}: {text}")
    if failures and not args.report_only:
        print("\n".join(failures[:40]), file=sys.stderr)
        print(f"{len(failures)} failures", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
