"""Helpers shared by test modules: the test profile and the sizes it picks, signing as the upstream
signs (with Node), running the example receiver under a real uvicorn server on 127.0.0.1, raw
HTTP/1.1 over a socket, and peak memory and CPU time measured in a fresh process."""

from __future__ import annotations

import atexit
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TypeVar

import httpx

from examples.store import SqliteEventStore

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 20

# --------------------------------------------------------------------------------------------------
# The profile: `quick` (the default: `make test`, a file run alone) or `thorough` (`make
# test-thorough`, CI), read here and nowhere else. It picks hypothesis's profile (tests/conftest.py)
# and the sizes of the long tests: the same assertions, on fewer inputs or for less time in `quick`.
# --------------------------------------------------------------------------------------------------

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "quick")
THOROUGH = PROFILE == "thorough"

_T = TypeVar("_T")


def sized(quick: _T, thorough: _T) -> _T:
    """`thorough` under the thorough profile, `quick` otherwise."""
    return thorough if THOROUGH else quick


# Signs as the upstream's own example receiver computes the signature (apps/rag-knowledge-agent in
# its examples repository): createHmac('sha256', secret).update(rawBody).digest('base64url').
# Each request is [secret, base64 of the body]; the answer is one signature per request.
NODE_SIGNER = """
const crypto = require('crypto');
const requests = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const sign = ([secret, body]) =>
  crypto.createHmac('sha256', secret).update(Buffer.from(body, 'base64')).digest('base64url');
process.stdout.write(JSON.stringify(requests.map(sign)));
"""


def node_signatures(requests: list[tuple[str, bytes]]) -> list[str]:
    """Signatures computed by Node, as the upstream computes them, all in one node process (the
    test fails without node)."""
    node = shutil.which("node")
    assert node is not None, "node is required: the upstream's algorithm is checked in its own language"
    payload = json.dumps([[secret, base64.b64encode(body).decode()] for secret, body in requests])
    result = subprocess.run(
        [node, "-e", NODE_SIGNER], input=payload, capture_output=True, text=True, check=True, timeout=30
    )
    signatures: list[str] = json.loads(result.stdout)
    return signatures


def stackone_headers(bodies: list[bytes], secret: str) -> list[dict[str, str]]:
    """The request headers of each body, signed by Node with `secret` as the upstream signs."""
    signatures = node_signatures([(secret, body) for body in bodies])
    return [{"content-type": "application/json", "x-stackone-signature": sig} for sig in signatures]


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_listening(port: int, alive: subprocess.Popen[bytes], output: Path) -> None:
    """Poll `port` until the server answers, failing when it exits or takes over `STARTUP_SECONDS`."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if alive.poll() is not None:
            raise AssertionError(f"uvicorn exited with {alive.returncode}: {output.read_text()}")
        try:
            # uvicorn listens only once the app is built and started: a connection means it is ready
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"uvicorn did not answer within {STARTUP_SECONDS}s")
        time.sleep(0.05)


class Server:
    """A running receiver: its base URL, its output so far, and read access to its store."""

    def __init__(self, url: str, db_path: Path, output: Path, client: httpx.Client) -> None:
        self.url = url
        self.db_path = db_path
        self.output = output
        self.store = SqliteEventStore(db_path)
        self.client = client

    def post(self, body: bytes, headers: Mapping[str, str], query: str = "") -> httpx.Response:
        return self.client.post(f"/webhooks{query}", content=body, headers=headers)

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path)


@contextmanager
def running_receiver(work: Path, env: Mapping[str, str], log_level: str = "warning") -> Iterator[Server]:
    """`examples.fastapi_app` run by `uvicorn --factory`, as `make serve` runs it, with `env` added,
    its SQLite file and its output (stdout and stderr) in `work`.

    The server is always stopped, with bounded waits: terminate, then kill.
    """
    db_path = work / "events.db"
    output = work / "server.log"
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "examples.fastapi_app:app_from_env"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", log_level]
    full_env = {**os.environ, "JOBSTATUS_DB": str(db_path), "PYTHONPATH": str(ROOT), **env}
    with output.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_listening(port, process, output)
            # one client for all requests: building an httpx client costs milliseconds
            with httpx.Client(base_url=url, timeout=10) as client:
                yield Server(url, db_path, output, client)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


# --------------------------------------------------------------------------------------------------
# Raw HTTP/1.1 over a socket: bodies framed as no client library would send them
# --------------------------------------------------------------------------------------------------

PIECE = 64 * 1024


def body_pieces(total: int) -> Iterator[bytes]:
    """`total` bytes of body (whole pieces), for a declared length."""
    for _ in range(total // PIECE):
        yield b" " * PIECE


def chunked_pieces(total: int) -> Iterator[bytes]:
    """The same body in chunked framing, with its closing chunk."""
    for piece in body_pieces(total):
        yield b"%x\r\n" % len(piece) + piece + b"\r\n"
    yield b"0\r\n\r\n"


def answer_status(sock: socket.socket) -> int:
    """The status code of the answer on `sock`."""
    answer = b""
    while b"\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    return int(answer.split(b" ", 2)[1])


def send_until_answered(
    sock: socket.socket, chunks: Iterator[bytes], *, answer_timeout: float | None = None
) -> tuple[int, int]:
    """Send chunks until the server answers; return (status, bytes of body sent).

    The answer is looked for before every send, so it is read before the server closes a connection
    whose body it will not read (which could reset it and lose the answer). `answer_timeout` bounds
    the wait for an answer once everything is sent."""
    sent = 0
    sock.setblocking(False)
    try:
        for chunk in chunks:
            view = memoryview(chunk)
            while view:
                try:
                    if sock.recv(1, socket.MSG_PEEK):
                        sock.setblocking(True)
                        return answer_status(sock), sent
                except BlockingIOError:
                    pass
                try:
                    count = sock.send(view)
                except BlockingIOError:
                    time.sleep(0.002)  # the server is not reading: wait for its answer
                    continue
                except (BrokenPipeError, ConnectionResetError):  # pragma: no cover - answered and closed
                    sock.setblocking(True)
                    return answer_status(sock), sent
                sent += count
                view = view[count:]
    finally:
        sock.setblocking(True)
    sock.settimeout(answer_timeout)
    return answer_status(sock), sent


# --------------------------------------------------------------------------------------------------
# Peak memory and CPU time of a snippet, each in a fresh process
# --------------------------------------------------------------------------------------------------

# One process imports the package once; each measurement runs in a child forked from it, whose peak
# is reset to what it holds at the fork (/proc/self/clear_refs): a fresh interpreter each time, less
# the interpreter start and the import, which cost more than most of the measured snippets.
_MEASURER = r"""
import json, os, re, resource, sys, traceback
from jobstatus import JobStatus
from jobstatus.bulk import summarize_lines
from pydantic import ValidationError
JobStatus.model_validate({"source_value": (1,)})  # builds the exact validator, once a process
for request in sys.stdin:
    setup, run = json.loads(request)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        try:
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")  # the peak starts again from what is resident now
            names = {"JobStatus": JobStatus, "summarize_lines": summarize_lines, "ValidationError": ValidationError}
            exec(setup, names)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_utime
            exec(run, names)
            cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime - before
            with open("/proc/self/status") as status:
                hwm = int(re.search(r"VmHWM:\s+(\d+)", status.read()).group(1))
            answer = [hwm, cpu, None]
        except BaseException:
            answer = [0, 0.0, traceback.format_exc()]
        os.write(writer, json.dumps(answer).encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    print(answer.decode() or "[0, 0.0, \"the child died\"]", flush=True)
"""

_measurer: subprocess.Popen[str] | None = None


def peak_and_cpu(setup: str, run: str) -> tuple[int, float]:
    """The peak resident memory (KiB, from /proc: VmHWM; `ru_maxrss` would carry the parent's peak
    into a forked child) and the CPU seconds of `run`, after `setup`, in a fresh process that has
    imported `JobStatus`, `summarize_lines` and `ValidationError`."""
    global _measurer  # one per test process, started on first use
    if _measurer is None or _measurer.poll() is not None:
        _measurer = subprocess.Popen(
            [sys.executable, "-c", _MEASURER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        atexit.register(_measurer.kill)
    assert _measurer.stdin is not None
    assert _measurer.stdout is not None
    _measurer.stdin.write(json.dumps([setup, run]) + "\n")
    _measurer.stdin.flush()
    hwm, cpu, error = json.loads(_measurer.stdout.readline() or '[0, 0.0, "the measuring process died"]')
    assert error is None, error
    return int(hwm), float(cpu)
