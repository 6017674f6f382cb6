"""Benchmark: `infer_status` on a string raw value against validating one `JobStatus` from JSON.

Run with `python bench/bench_providers.py`. Both are timed in the same run (stdlib `timeit`,
best of N repeats), so the ratio is what matters, not the absolute figures.
"""

from __future__ import annotations

import timeit

from jobstatus import JobStatus, infer_status

NUMBER = 20_000
REPEAT = 7
PAYLOAD = b'{"source_value": "On Hold", "value": "on_hold"}'

CASES = {
    "JobStatus.model_validate_json": lambda: JobStatus.model_validate_json(PAYLOAD),
    "infer_status('On Hold', 'jazzhr')": lambda: infer_status("On Hold", "jazzhr"),
    "infer_status('ON_HOLD', 'smartrecruiters')": lambda: infer_status("ON_HOLD", "smartrecruiters"),
    "infer_status('Frozen', None) (unmapped)": lambda: infer_status("Frozen"),
    "infer_status(2, 'successfactors')": lambda: infer_status(2, "successfactors"),
    "infer_status({...}, 'bullhorn')": lambda: infer_status({"status": "Placed", "isOpen": False}, "bullhorn"),
}


def best_microseconds(function: object) -> float:
    """Best-of-REPEAT time per call, in microseconds."""
    function()  # type: ignore[operator]  # warm up: load and compile the tables once
    return min(timeit.repeat(function, number=NUMBER, repeat=REPEAT)) / NUMBER * 1e6  # type: ignore[arg-type]


def main() -> None:
    baseline = best_microseconds(CASES["JobStatus.model_validate_json"])
    for name, function in CASES.items():
        took = baseline if name == "JobStatus.model_validate_json" else best_microseconds(function)
        print(f"{name:45} {took:7.3f} us  ratio {took / baseline:5.2f}")


if __name__ == "__main__":
    main()
