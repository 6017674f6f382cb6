"""Validate and normalize job-status documents: the `jobstatus validate` command, kept under its old name.

Usage: python examples/normalize_samples.py FILE ... [--policy open|unmapped|strict] [any `jobstatus validate` option]

`make run` now runs `python -m jobstatus validate examples/data/job_statuses.ndjson`, which does the
same: each valid document is printed as normalized JSON, each error as `FILE:LINE: loc: type: message`
on stderr, then a summary that counts the unified values. See docs/cli.md.
"""

from __future__ import annotations

import sys

from jobstatus.cli import main

if __name__ == "__main__":
    sys.exit(main(["validate", *sys.argv[1:]]))
