"""Shared fixtures: the example receiver under a real uvicorn server on 127.0.0.1.

Each test module that asks for `server` gets its own process and its own SQLite file (module
scope), so the end-to-end tests and the load test never see each other's events.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
"""The signing secret the `server` fixture's receiver holds (Standard Webhooks)."""
STARTUP_SECONDS = 20


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A running receiver: its base URL, host and port, and read access to its SQLite store."""

    def __init__(self, url: str, port: int, db_path: Path) -> None:
        self.url = url
        self.host = "127.0.0.1"
        self.port = port
        self.db_path = db_path

    def rows(self, query: str) -> list[tuple[object, ...]]:
        with closing(sqlite3.connect(self.db_path)) as connection:
            return connection.execute(query).fetchall()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`examples.fastapi_app` run by `uvicorn --factory`, as `make serve` runs it, with `SERVER_SECRET`."""
    work = tmp_path_factory.mktemp("server")
    db_path = work / "events.db"
    port = _free_port()
    env = {
        **os.environ,
        "JOBSTATUS_WEBHOOK_SECRET": SERVER_SECRET,
        "JOBSTATUS_DB": str(db_path),
        "PYTHONPATH": str(ROOT),
    }
    env["JOBSTATUS_WEBHOOK_SCHEME"] = "standard"
    log_path = work / "server.log"
    command = [sys.executable, "-m", "uvicorn", "--factory", "examples.fastapi_app:app_from_env"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if process.poll() is not None:
                    pytest.fail(f"uvicorn exited with {process.returncode}: {log_path.read_text()}")
                try:
                    if httpx.get(f"{url}/jobs/none", timeout=1).status_code == 404:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"uvicorn did not answer within {STARTUP_SECONDS}s")
                time.sleep(0.1)
            yield Server(url, port, db_path)
        finally:
            # Always stop the server, with bounded waits: terminate, then kill.
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
