"""Validate and normalize job-status documents, one JSON object per line, as `make run` does.

Usage: python examples/normalize_samples.py FILE [--policy open|unmapped|strict]

Each valid line is printed as its normalized JSON; each invalid one as `FILE:LINE: loc: type: message`
on stderr. A summary counts the unified values. Exit status 1 when any line is invalid.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from jobstatus import JobStatus, JobStatusValue, StrictJobStatus, UnmappedJobStatus

POLICIES = {"open": JobStatus, "unmapped": UnmappedJobStatus, "strict": StrictJobStatus}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--policy", choices=sorted(POLICIES), default="open")
    args = parser.parse_args(argv)
    model = POLICIES[args.policy]
    counts: Counter[str] = Counter()
    invalid = 0
    with args.file.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                status = model.model_validate_json(line)
            except ValidationError as error:
                invalid += 1
                for detail in error.errors(include_url=False):
                    location = ".".join(str(part) for part in detail["loc"]) or "(document)"
                    print(f"{args.file}:{number}: {location}: {detail['type']}: {detail['msg']}", file=sys.stderr)
                continue
            print(status.model_dump_json(exclude_unset=True))
            value = status.value
            counts["(none)" if value is None else value if isinstance(value, JobStatusValue) else "(unknown)"] += 1
    summary = ", ".join(f"{name}={count}" for name, count in sorted(counts.items()))
    print(f"{sum(counts.values())} valid, {invalid} invalid; {summary}", file=sys.stderr)
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
