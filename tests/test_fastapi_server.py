"""`install(app)` and the webhook body reader under a real uvicorn on 127.0.0.1 (one server for the module).

The app is examples/status_api.py (tests/fastapi_server_app.py adds a counting webhook route and a
route returning an invalid response). Hostile JSON to every kind of route is a 4xx; every framing of
a too-large body is a 413 or a 400 with the server's peak memory (VmHWM) a few MB over its idle
peak; a client that goes away leaves nothing in the server's output and reaches no handler.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from itertools import islice
from pathlib import Path

import httpx
import pytest
from fastapi_server_app import BODY_TIMEOUT, LIMIT, TOKEN
from helpers import PIECE, answer_status, body_pieces, chunked_pieces, free_port, send_until_answered

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


class Server:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log

    def peak_kb(self) -> int:
        """The server's peak resident memory so far (VmHWM), in kB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise AssertionError("no VmHWM")  # pragma: no cover

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def counted(self) -> int:
        answer: int = httpx.get(f"{self.url}/counted", timeout=10).json()
        return answer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("fastapi-server") / "server.log"
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    command = [sys.executable, "-m", "uvicorn", "--factory", "fastapi_server_app:create"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "info", "--no-access-log"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = Server(process, port, log)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, running.output()
            try:
                if httpx.get(f"{running.url}/counted", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait(timeout=10)
    assert "Traceback" not in running.output()


# --------------------------------------------------------------------------------------------------
# Hostile JSON to every kind of route: 4xx, never 5xx
# --------------------------------------------------------------------------------------------------

DEEP = b"[" * 5000 + b"]" * 5000
DEEP_UNDER_THE_PARSER_LIMIT = b"[" * 900 + b"]" * 900
HUGE = b'"' + b"x" * MB + b'"'
# Values that JSON cannot carry, and shapes that strain the echo, placed into each route's body.
hostile_values: list[tuple[str, bytes]] = [
    ("NaN", b"NaN"),
    ("Infinity", b"Infinity"),
    ("-Infinity", b"-Infinity"),
    ("1e400", b"1e400"),
    ("lone high surrogate", b'"\\ud800"'),
    ("lone low surrogate", b'"\\udfff"'),
    ("surrogate in a list", b'[1, "a\\ud83d"]'),
    ("surrogate as a key", b'{"\\ud800": 1}'),
    ("non-finite deep inside", b'{"a": [{"b": [NaN, -Infinity]}]}'),
    ("deep nesting", DEEP_UNDER_THE_PARSER_LIMIT),
    ("1 MiB string", HUGE),
]


def _bodies(value: bytes) -> list[tuple[str, str, bytes]]:
    """(method, url, body) for each route kind, the hostile value in every position it can take."""
    status_positions = [
        b'{"value": %s}' % value,
        b'{"source_value": %s}' % value,
        b'{"value": "open", "extra": %s}' % value,
        b'{"value": "open", "source_value": {"k": %s}}' % value,
        b"%s" % value,
    ]
    bodies: list[tuple[str, str, bytes]] = []
    for status in status_positions:
        bodies += [
            ("PUT", "/jobs/j1", b'{"id": "j1", "status": %s}' % status),  # nested in a user's model
            ("PUT", "/jobs/j1", b'{"id": "j1", "status": {}, "salary": %s}' % value),  # a user's float field
            ("POST", "/statuses", b"[%s]" % status),  # a list body, response model
            ("POST", "/statuses", b'[{"value": "open"}, %s]' % status),
        ]
    if b"\\u" in value:  # an object key with a lone surrogate
        bodies.append(("POST", "/statuses", b'[{"source_value": {%s: 1}}]' % value.split(b":")[0].strip(b"{[ ")))
    return bodies


@pytest.mark.parametrize(("case", "value"), hostile_values, ids=[case for case, _ in hostile_values])
def test_hostile_bodies_are_a_4xx(server: Server, case: str, value: bytes) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for method, url, body in _bodies(value):
            response = client.request(method, url, content=body, headers={"content-type": "application/json"})
            assert 400 <= response.status_code < 500 or response.status_code == 200, (url, body[:80])
            if response.status_code == 422:
                assert isinstance(response.json()["detail"], list)
                assert len(response.content) < 64 * 1024  # the echo is bounded, whatever the input


def test_a_body_nested_past_the_parser_is_a_400(server: Server) -> None:
    response = httpx.post(f"{server.url}/statuses", content=DEEP, headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_a_1_mib_string_is_echoed_cut(server: Server) -> None:
    response = httpx.put(
        f"{server.url}/jobs/j1",
        content=b'{"id": "j1", "status": {"value": [%s]}}' % HUGE,
        timeout=30,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["type"], error["input"]) == ("status_value_type", ["x" * 256 + "…"])
    assert len(response.content) < 4096


query_cases: list[tuple[str, int, object]] = [
    ("On Hold", 200, []),
    ("on-hold", 200, []),
    ("frozen", 422, "status_value_unknown"),
    ("\ufffd", 422, "status_value_unknown"),  # what a percent-encoded lone surrogate decodes to
    ("%ED%A0%80", 422, "status_value_unknown"),  # the UTF-8 bytes of a surrogate, encoded again
    ("x" * 20_000, 422, "status_value_unknown"),
]


@pytest.mark.parametrize(("status", "code", "answer"), query_cases, ids=[c[0][:12] for c in query_cases])
def test_query_and_path_parameters_fold(server: Server, status: str, code: int, answer: object) -> None:
    query = httpx.get(f"{server.url}/jobs", params={"status": status}, timeout=10)
    assert query.status_code == code
    if code == 200:
        assert query.json() == answer
    else:
        (error,) = query.json()["detail"]
        assert (error["type"], error["loc"]) == (answer, ["query", "status"])
        assert "'on_hold'" in error["msg"]
        assert len(query.content) < 4096
    path = httpx.get(f"{server.url}/statuses/{status[:1000]}", timeout=10)
    assert path.status_code == code
    if code == 200:
        assert path.json() == {"source_value": None, "value": "on_hold"}


def test_an_invalid_response_is_a_500_without_input_or_traceback(server: Server) -> None:
    response = httpx.post(f"{server.url}/echo", json={"value": 3, "source_value": "private input"})
    assert (response.status_code, response.json()) == (500, {"detail": "Internal Server Error"})
    deadline = time.monotonic() + 5
    while "returned an invalid response" not in server.output():
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.05)
    assert "private input" not in server.output()
    assert "Traceback" not in server.output()


# --------------------------------------------------------------------------------------------------
# The webhook body reader: every framing, over raw sockets
# --------------------------------------------------------------------------------------------------


def _head(framing: dict[str, str]) -> bytes:
    lines = [f"POST /counted?token={TOKEN} HTTP/1.1", "host: 127.0.0.1", "content-type: application/json"]
    lines += [f"{name}: {value}" for name, value in framing.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


SENT = 64 * MB
# (case, headers, body chunks, expected status)
framings: list[tuple[str, dict[str, str], Iterator[bytes] | None, int]] = [
    ("declared length over the limit", {"content-length": str(SENT)}, None, 413),
    ("chunked, no length", {"transfer-encoding": "chunked"}, None, 413),
    ("both, a small length and a huge chunked body", {"content-length": "10", "transfer-encoding": "chunked"}, None,
     413),
    ("malformed length", {"content-length": "²"}, None, 400),
    ("negative length", {"content-length": "-1"}, None, 400),
    ("two lengths", {"content-length": "10, 11"}, None, 400),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "headers", "status"), [(c, h, s) for c, h, _, s in framings], ids=[f[0] for f in framings]
)
def test_every_framing_keeps_the_limit(server: Server, case: str, headers: dict[str, str], status: int) -> None:
    before = server.counted()
    idle_kb = server.peak_kb()
    chunked = headers.get("transfer-encoding") == "chunked"
    with closing(socket.create_connection(("127.0.0.1", server.port), timeout=30)) as sock:
        sock.sendall(_head(headers))
        answer, sent = send_until_answered(
            sock, chunked_pieces(SENT) if chunked else body_pieces(SENT), answer_timeout=BODY_TIMEOUT * 5
        )
    assert answer == status
    assert sent < 16 * LIMIT + 8 * MB  # refused after the limit and what socket buffers hold
    # Nothing past the limit (plus a chunk and the servers' buffers) was ever held.
    assert server.peak_kb() - idle_kb < 8 * 1024
    assert server.counted() == before


def test_a_lying_length_is_read_as_declared(server: Server) -> None:
    # Content-Length 2 then more bytes: the body is what was declared, the rest is not part of it.
    before = server.counted()
    with closing(socket.create_connection(("127.0.0.1", server.port), timeout=30)) as sock:
        sock.sendall(_head({"content-length": "2"}) + b"[]" + b" " * (2 * LIMIT))
        assert answer_status(sock) == 422  # `[]` is not an event
    # A length longer than the body: the rest never comes, and the time limit answers.
    with closing(socket.create_connection(("127.0.0.1", server.port), timeout=30)) as sock:
        sock.sendall(_head({"content-length": "100"}) + b"{}")
        assert answer_status(sock) == 408
    assert server.counted() == before


@pytest.mark.parametrize("chunked", [False, True], ids=["declared length", "chunked"])
def test_a_client_that_goes_away_ends_the_request_quietly(server: Server, chunked: bool) -> None:
    before = server.counted()
    output = len(server.output())
    for _ in range(3):
        with closing(socket.create_connection(("127.0.0.1", server.port), timeout=10)) as sock:
            framing = {"transfer-encoding": "chunked"} if chunked else {"content-length": "1000"}
            sock.sendall(_head(framing) + (b"64\r\n" + b" " * 100 + b"\r\n" if chunked else b" " * 100))
            time.sleep(0.05)
    # The server is still serving, ran no handler, and wrote nothing about the three requests.
    good = httpx.post(f"{server.url}/counted?token={TOKEN}", json={"event": "x.y", "id": f"e{chunked}"}, timeout=10)
    assert good.status_code == 200
    assert server.counted() == before + 1
    time.sleep(0.1)
    assert server.output()[output:] == ""


@pytest.mark.parametrize(
    "framing",
    [{"content-length": str(SENT)}, {"transfer-encoding": "chunked"}],
    ids=["declared length over the limit", "chunked past the limit"],
)
def test_a_refusal_before_the_end_of_the_body_closes_the_connection(server: Server, framing: dict[str, str]) -> None:
    # Otherwise the server goes on reading the rest, and a sender dripping a byte at a time holds the
    # connection for as long as it likes, 413 or not.
    chunked = "transfer-encoding" in framing
    with closing(socket.create_connection(("127.0.0.1", server.port), timeout=30)) as sock:
        sock.sendall(_head(framing))
        if chunked:
            sock.sendall(b"".join(islice(chunked_pieces(4 * LIMIT), 4 * LIMIT // PIECE)))
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413")
        assert b"connection: close" in answer.lower()
        sock.settimeout(3)  # well inside uvicorn's keep-alive timeout of 5 s, which dripping would reset
        closed = False
        for _ in range(6):
            try:
                sock.sendall(b"1\r\nx\r\n" if chunked else b"x")
                data = sock.recv(4096)
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if data == b"":
                closed = True
                break
            time.sleep(0.2)
        assert closed
