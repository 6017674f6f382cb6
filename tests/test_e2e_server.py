"""The example receiver end to end: under a real uvicorn server on 127.0.0.1, driven over HTTP with
bodies shaped as the upstream documents them and signed by Node as the upstream signs them.

Every body of the module is signed in one node process (`SIGNED`); each test uses its own record ids,
so the tests share the module's server without seeing each other's events.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import SERVER_SECRET, Server
from helpers import ROOT, free_port, node_signatures, running_receiver, stackone_headers

import examples.fastapi_app
import examples.store
from examples.fastapi_app import redact_query
from examples.store import SqliteEventStore

OLD_SECRET = "old-secret-being-rotated-out"  # secrets are space-separated in the environment
WRONG_SECRET = "a secret the receiver never held"
JSON = {"content-type": "application/json"}


def _job_event(job_id: str, date: str, event: str = "ats_jobs.updated", **fields: Any) -> bytes:
    body = {
        "event": event,
        "event_date": f"2025-06-{date}Z",
        "sent_at": f"2025-06-{date}Z",
        "record_type": "job",
        "record_id": job_id,
        "provider": "greenhouse",
        "raw_event": {"action": "job_updated"},
        "event_data": {"id": job_id, **fields},
    }
    return json.dumps(body).encode()


def _status(value: str) -> dict[str, str]:
    return {"value": value, "source_value": value.replace("_", " ").title()}


# fmt: off
CYCLE = [
    _job_event("cycle", f"02T09:0{n}:00", job_status=_status(v))
    for n, v in enumerate(["open", "on_hold", "open"])
]
ONCE = _job_event("once", "02T10:00:00", title="Engineer", job_status=_status("open"))
ONCE_RESENT = ONCE.replace(b'"sent_at": "2025-06-02T10:00:00Z"', b'"sent_at": "2025-06-02T10:30:00Z"')
NEWER = _job_event("late", "03T12:00:00", job_status=_status("closed"))
OLDER = _job_event("late", "03T08:00:00", job_status=_status("open"), location="Paris")
PARTIAL = [
    _job_event("partial", "04T09:00:00", "ats_jobs.created", title="Engineer", job_status=_status("open"),
               hiring_team=[{"name": "Ada"}]),
    _job_event("partial", "04T10:00:00", job_status={"value": "on_hold"}),  # no title, no source_value
    _job_event("partial", "04T11:00:00", department=None),  # an explicit null is a value
]
DELETED = [
    _job_event("gone", "05T09:00:00", "ats_jobs.created", title="Temp", job_status=_status("open")),
    _job_event("gone", "05T10:00:00", "ats_jobs.deleted"),
    _job_event("gone", "05T09:30:00", job_status=_status("on_hold")),  # older than the deletion
]
POSTING = [
    json.dumps({"event": "ats_job_postings.created", "event_date": "2025-06-06T09:00:00Z",
                "event_data": {"id": "post1", "job_id": "cycle", "title": "Engineer",
                               "status": {"value": "LIVE", "source_value": "Published"}}}).encode(),
    json.dumps({"event": "ats_job_postings.updated", "event_date": "2025-06-06T10:00:00Z",
                "data": {"id": "post1", "status": {"value": "closed"}}}).encode(),
]
REFUSED = _job_event("refused", "07T09:00:00", job_status=_status("closed"))
# fmt: on

_ALL = [*CYCLE, ONCE, ONCE_RESENT, NEWER, OLDER, *PARTIAL, *DELETED, *POSTING, REFUSED]


@pytest.fixture(scope="module")
def signed() -> dict[bytes, dict[str, str]]:
    """The headers of every body of the module, signed by Node with the server's secret."""
    return dict(zip(_ALL, stackone_headers(_ALL, SERVER_SECRET), strict=True))


def _deliver(server: Server, signed: dict[bytes, dict[str, str]], *bodies: bytes) -> list[dict[str, Any]]:
    answers = []
    for body in bodies:
        response = server.post(body, signed[body])
        assert response.status_code == 200, response.text
        answers.append(response.json())
    return answers


def _values(entries: list[dict[str, Any]]) -> list[str | None]:
    return [None if entry["job_status"] is None else entry["job_status"]["value"] for entry in entries]


def test_a_job_going_open_on_hold_open_ends_open_with_three_entries(
    server: Server, signed: dict[bytes, dict[str, str]]
) -> None:
    # The three bodies differ only in event_date: three changes, not one delivered three times.
    answers = _deliver(server, signed, *CYCLE)
    assert [answer["duplicate"] for answer in answers] == [False, False, False]
    assert len({answer["key"] for answer in answers}) == 3
    job = server.get("/jobs/cycle").json()
    assert job["job"]["job_status"] == {"value": "open", "source_value": "Open"}
    assert (job["deleted"], job["event_time"]) == (False, "2025-06-02T09:02:00Z")
    history = server.get("/jobs/cycle/history").json()
    assert _values(history) == ["open", "on_hold", "open"]
    assert [entry["event_time"] for entry in history] == [f"2025-06-02T09:0{n}:00Z" for n in range(3)]
    assert {entry["event"] for entry in history} == {"ats_jobs.updated"}


def test_the_same_delivery_five_times_is_stored_once(server: Server, signed: dict[bytes, dict[str, str]]) -> None:
    answers = _deliver(server, signed, *[ONCE] * 5, ONCE_RESENT)
    # the sixth is the same event sent again later: only sent_at differs, so it has the same key
    assert [answer["duplicate"] for answer in answers] == [False, True, True, True, True, True]
    assert len({answer["key"] for answer in answers}) == 1
    assert server.store.keys().count(answers[0]["key"]) == 1
    assert len(server.get("/jobs/once/history").json()) == 1


def test_an_older_event_delivered_late_is_logged_but_does_not_win(
    server: Server, signed: dict[bytes, dict[str, str]]
) -> None:
    _deliver(server, signed, NEWER, OLDER)
    job = server.get("/jobs/late").json()
    assert job["job"]["job_status"]["value"] == "closed"
    assert job["job"]["location"] == "Paris"  # no newer event set it: the older one fills it in
    assert job["event_time"] == "2025-06-03T12:00:00Z"
    history = server.get("/jobs/late/history").json()
    assert _values(history) == ["open", "closed"]  # oldest first by event time, not by arrival


def test_a_partial_update_keeps_the_other_fields(server: Server, signed: dict[bytes, dict[str, str]]) -> None:
    _deliver(server, signed, *PARTIAL)
    response = server.get("/jobs/partial")
    assert response.json()["job"] == {
        "id": "partial",
        "title": "Engineer",
        "hiring_team": [{"name": "Ada"}],
        # job_status is one field, replaced whole; its source_value never came, so it is absent
        "job_status": {"value": "on_hold"},
        "department": None,
    }
    assert '"source_value":null' not in response.text.replace(" ", "")
    history = server.get("/jobs/partial/history").json()
    assert _values(history) == ["open", "on_hold", None]  # the last event carried no status
    assert history[2]["job"] == {"id": "partial", "department": None}


def test_a_deleted_job_is_marked_and_an_older_event_does_not_revive_it(
    server: Server, signed: dict[bytes, dict[str, str]]
) -> None:
    _deliver(server, signed, *DELETED)
    job = server.get("/jobs/gone").json()
    assert job["deleted"] is True
    assert job["job"]["job_status"]["value"] == "on_hold"  # the late event's field is still recorded
    assert [entry["event"] for entry in server.get("/jobs/gone/history").json()] == [
        "ats_jobs.created",
        "ats_jobs.updated",
        "ats_jobs.deleted",
    ]


def test_a_job_posting_can_be_read_back(server: Server, signed: dict[bytes, dict[str, str]]) -> None:
    _deliver(server, signed, *POSTING)
    posting = server.get("/job-postings/post1").json()
    assert posting == {
        "id": "post1",
        "deleted": False,
        "event_time": "2025-06-06T10:00:00Z",
        "job_posting": {"id": "post1", "job_id": "cycle", "title": "Engineer", "status": {"value": "closed"}},
    }
    history = server.get("/job-postings/post1/history").json()
    assert [(entry["event"], entry["status"]["value"]) for entry in history] == [
        ("ats_job_postings.created", "live"),
        ("ats_job_postings.updated", "closed"),
    ]
    assert history[0]["status"]["source_value"] == "Published"
    assert server.get("/jobs/post1").status_code == 404  # a posting is not a job


@pytest.mark.parametrize(
    "path", ["/jobs/nobody", "/jobs/nobody/history", "/job-postings/nobody", "/job-postings/nobody/history"]
)
def test_an_unknown_id_is_404(server: Server, path: str) -> None:
    response = server.get(path)
    assert response.status_code == 404
    assert response.json()["detail"] in ("Unknown job", "Unknown job posting")


def test_refused_deliveries_are_401_and_store_nothing(server: Server, signed: dict[bytes, dict[str, str]]) -> None:
    headers = signed[REFUSED]
    signature = headers["x-stackone-signature"]
    (wrong,) = node_signatures([(WRONG_SECRET, REFUSED)])
    cases = {
        "tampered body": (REFUSED.replace(b"closed", b"open"), headers),
        "wrong secret": (REFUSED, {**headers, "x-stackone-signature": wrong}),
        "malformed signature": (REFUSED, {**headers, "x-stackone-signature": signature[:-1] + "!"}),
        "missing header": (REFUSED, JSON),
    }
    before = server.store.keys()
    for case, (body, case_headers) in cases.items():
        response = server.post(body, case_headers)
        assert response.status_code == 401, case
        assert SERVER_SECRET not in response.text
    assert server.store.keys() == before
    assert server.get("/jobs/refused").status_code == 404


def test_the_openapi_document_types_every_route(server: Server) -> None:
    paths = server.get("/openapi.json").json()["paths"]
    schemas = {
        (path, method): operation["responses"]["200"]["content"]["application/json"]["schema"]
        for path, item in paths.items()
        for method, operation in item.items()
    }
    assert schemas[("/webhooks", "post")] == {"$ref": "#/components/schemas/Receipt"}
    assert schemas[("/jobs/{job_id}", "get")] == {"$ref": "#/components/schemas/JobState"}
    assert schemas[("/jobs/{job_id}/history", "get")]["items"] == {"$ref": "#/components/schemas/JobHistoryEntry"}
    assert schemas[("/job-postings/{posting_id}", "get")] == {"$ref": "#/components/schemas/JobPostingState"}
    assert schemas[("/job-postings/{posting_id}/history", "get")]["items"] == {
        "$ref": "#/components/schemas/JobPostingHistoryEntry"
    }


# --------------------------------------------------------------------------------------------------
# Servers of their own: a secret being rotated, and the token scheme's log
# --------------------------------------------------------------------------------------------------


def test_an_old_secret_verifies_while_rotating_and_is_refused_after(server: Server, tmp_path: Path) -> None:
    during = _job_event("rotated", "08T09:00:00", job_status=_status("open"))
    after = _job_event("rotated", "08T10:00:00", job_status=_status("closed"))
    signatures = node_signatures([(OLD_SECRET, during), (SERVER_SECRET, during), (OLD_SECRET, after)])
    old_during, new_during, old_after = ({**JSON, "x-stackone-signature": signature} for signature in signatures)
    # while rotating, the receiver holds both secrets (space-separated) and takes either signature
    with running_receiver(tmp_path, {"JOBSTATUS_WEBHOOK_SECRET": f"{OLD_SECRET} {SERVER_SECRET}"}) as rotating:
        assert rotating.post(during, old_during).json()["duplicate"] is False
        assert rotating.post(during, new_during).json()["duplicate"] is True
    # after it, the module's receiver holds only the new one
    before = server.store.keys()
    assert server.post(after, old_after).status_code == 401
    assert server.store.keys() == before
    assert server.get("/jobs/rotated").status_code == 404


def test_the_token_never_reaches_the_servers_output(tmp_path: Path) -> None:
    token = "tok_9fQ2xLw7Rk"
    env = {"JOBSTATUS_WEBHOOK_SECRET": token, "JOBSTATUS_WEBHOOK_SCHEME": "token"}
    body = _job_event("tokened", "09T09:00:00", job_status=_status("open"))
    with running_receiver(tmp_path, env, log_level="info") as receiver:
        accepted = receiver.post(body, JSON, f"?token={token}")
        refused = receiver.post(body, JSON, f"?token={token}x&retry=1")
        assert (accepted.status_code, refused.status_code) == (200, 401)
    log = receiver.output.read_text()
    # the access log did record both requests, without the token
    assert log.count('"POST /webhooks?token=[redacted] HTTP/1.1" 200') == 1, log
    assert log.count('"POST /webhooks?token=[redacted]&retry=[redacted] HTTP/1.1" 401') == 1, log
    assert token not in log


def _docstring_blocks(*modules: ModuleType) -> dict[str, str]:
    blocks = {}
    for module in modules:
        owners = [module, *(v for v in vars(module).values() if getattr(v, "__module__", None) == module.__name__)]
        for owner in owners:
            for index, block in enumerate(
                re.findall(r"^```python\n(.*?)^```", inspect.getdoc(owner) or "", re.S | re.M)
            ):
                blocks[f"{module.__name__}.{getattr(owner, '__name__', '')}[{index}]"] = block
    return blocks


EXAMPLE_BLOCKS = _docstring_blocks(examples.store, examples.fastapi_app)


@pytest.mark.parametrize("code", list(EXAMPLE_BLOCKS.values()), ids=list(EXAMPLE_BLOCKS))
def test_the_examples_docstrings_run(code: str) -> None:
    exec(compile(code, "<example>", "exec"), {"__name__": "__example__"})


def test_a_store_written_by_something_else_is_refused(tmp_path: Path) -> None:
    # the receiver's earlier schema (events keyed by key, a jobs table): refused, not misread
    with closing(sqlite3.connect(tmp_path / "old.db")) as old:
        old.execute("CREATE TABLE events (key TEXT PRIMARY KEY, type TEXT NOT NULL, body TEXT NOT NULL)")
    with pytest.raises(RuntimeError, match="was not written by this receiver"):
        SqliteEventStore(tmp_path / "old.db")
    SqliteEventStore(tmp_path / "new.db")
    assert SqliteEventStore(tmp_path / "new.db").keys() == []  # and its own file is opened again


redactions = [
    ("/webhooks", "/webhooks"),
    ("/webhooks?token=s3cret", "/webhooks?token=[redacted]"),
    ("/webhooks?token=s3cret&token=other", "/webhooks?token=[redacted]&token=[redacted]"),
    ("/webhooks?s3cret", "/webhooks?[redacted]"),  # a bare part may be the secret itself
    ("/webhooks?", "/webhooks?[redacted]"),
    ("/webhooks?a=b=c", "/webhooks?a=[redacted]"),
]


@pytest.mark.parametrize(("target", "logged"), redactions)
def test_redact_query(target: str, logged: str) -> None:
    assert redact_query(target) == logged


# --------------------------------------------------------------------------------------------------
# The README's receiver block, pasted whole into bash
# --------------------------------------------------------------------------------------------------


def _readme_receiver_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Receiving job webhooks.*?(?=^## )", readme, re.DOTALL | re.MULTILINE)
    assert section is not None
    block = re.search(r"^```sh\n(.*?)^```", section[0], re.DOTALL | re.MULTILINE)
    assert block is not None, "the section has a ```sh block"
    return block[1]


@pytest.fixture
def readme_run(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    block = _readme_receiver_block()
    stop = 'kill "$SERVER_PID"'
    assert f"# stop the server: {stop}" in block  # the block says how; the test does it
    script = tmp_path / "readme.sh"
    script.write_text(f'set -e\n{block}\n{stop}\nwait "$SERVER_PID" || true\n')
    env = {**os.environ, "PORT": str(free_port()), "JOBSTATUS_DB": str(tmp_path / "readme.db")}
    env.pop("JOBSTATUS_WEBHOOK_SECRET", None)
    process = subprocess.Popen(
        ["bash", str(script)], cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:  # never leave the background server behind
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_the_readme_receiver_block_works_pasted_whole(readme_run: subprocess.Popen[str]) -> None:
    stdout, stderr = readme_run.communicate(timeout=60)
    assert readme_run.returncode == 0, stderr
    answers = [json.loads(line) for line in stdout.splitlines() if line.startswith(("{", "["))]
    receipt, job, history = answers
    assert receipt["duplicate"] is False  # the openssl signature verified
    assert job["job"]["job_status"] == {"value": "on_hold", "source_value": "On Hold"}
    assert [(entry["key"], entry["job_status"]["value"]) for entry in history] == [(receipt["key"], "on_hold")]
    assert stderr.count("Uvicorn running on") == 1
