"""`python -m jobstatus`: the command line, as the `jobstatus` console script runs it (see `jobstatus.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":  # pragma: no cover - run as `python -m jobstatus`, tested in subprocesses
    sys.exit(main())
