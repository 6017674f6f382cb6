"""Concurrency and load: threads agree with a serial run, and the example receiver under a real uvicorn
server stores each of 2,000 events (500 in the quick profile) signed as the upstream signs (some sent
twice) exactly once over 50 connections, with no error responses, its projection equal to a serial
replay.

Both tests are bounded in count and in time, and stop by themselves.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from conftest import SERVER_SECRET, Server
from helpers import running_receiver, sized, stackone_headers
from pydantic import BaseModel, ValidationError

from jobstatus import (
    JobStatusValue,
)
from jobstatus.schema import SCHEMA_MODELS
from jobstatus.webhooks import WEBHOOK_EVENT_ADAPTER, JobEvent, JobPostingEvent, OtherEvent, idempotency_key

MODELS = SCHEMA_MODELS  # the package's own models

# --------------------------------------------------------------------------------------------------
# Validation from many threads
# --------------------------------------------------------------------------------------------------


def _documents(count: int) -> list[bytes]:
    """Documents that exercise every path: canonical, respelled (the shared memo of spellings), unknown,
    long (never remembered), every JSON kind of source_value, and invalid ones."""
    rng = random.Random(6)
    spellings = [member.value for member in JobStatusValue]
    spellings += [s.upper() for s in spellings] + [s.replace("_", " ").title() for s in spellings]
    spellings += ["onHold", "on-hold", " ON_HOLD ", "Frozen", "x" * 100, "Frozen " * 20, "live", "LIVE"]
    sources: list[Any] = ["On Hold", 3, 2.5, True, None, {"id": 3, "name": "Open"}, [1, [2, {"k": None}]], ""]
    documents: list[bytes] = []
    for index in range(count):
        document: dict[str, Any] = {"source_value": rng.choice(sources), "value": rng.choice(spellings)}
        if index % 17 == 0:
            document["value"] = 5  # status_value_type
        if index % 23 == 0:
            document["remote_label"] = f"label {index}"  # an extra key, kept
        documents.append(json.dumps(document).encode())
    documents.append(b'{"source_value": NaN}')  # finite_number
    documents.append(b"{nope")  # json_invalid
    return documents


def _outcome(model: type[BaseModel], document: bytes) -> str:
    try:
        return model.model_validate_json(document).model_dump_json()
    except ValidationError as error:
        return json.dumps([(e["type"], e["loc"]) for e in error.errors()])


def test_validation_from_many_threads_gives_the_serial_results() -> None:
    documents = _documents(sized(1000, 3000))
    work = [(model, document) for model in MODELS for document in documents]
    serial = [_outcome(model, document) for model, document in work]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        # Each thread validates a shuffled slice, so threads race on the same spellings at once.
        concurrent = list(pool.map(lambda item: _outcome(*item), work, chunksize=64))
    assert time.monotonic() - started < 60
    assert concurrent == serial
    assert len(set(serial)) > 100  # the corpus really varies


# --------------------------------------------------------------------------------------------------
# 2,000 signed events over 50 connections, against a real server (a quarter of each count in quick)
# --------------------------------------------------------------------------------------------------

DISTINCT = sized(450, 1800)
IDENTICAL_RETRIES = sized(25, 100)  # the same bytes sent again
RESENT = sized(25, 100)  # the same event sent again later: only sent_at differs, so the same idempotency key
DELIVERIES = DISTINCT + IDENTICAL_RETRIES + RESENT
CONNECTIONS = 50
JOBS = sized(30, 120)  # as many events a job in both profiles
DEADLINE_SECONDS = 120
BASE = datetime(2025, 6, 2, 9, tzinfo=UTC)
_FIELDS: list[tuple[str, Any]] = [
    ("title", lambda index: f"Engineer {index}"),
    ("location", lambda index: {"city": "Paris", "from": index}),
    ("department", lambda index: None),  # an explicit null
    ("hiring_team", lambda index: [{"name": "Ada", "from": index}]),
]


def _load_body(index: int, rng: random.Random) -> dict[str, Any]:
    """One change to one of `JOBS` jobs: a random subset of its fields (a partial update), or its
    deletion; every third event shares its event_date with another (a tie, broken by the key)."""
    job_id = f"job_load_{rng.randrange(JOBS)}"
    when = BASE + timedelta(minutes=rng.randrange(DISTINCT // 3))
    body: dict[str, Any] = {"event_date": when.isoformat(), "sent_at": when.isoformat(), "provider": "greenhouse"}
    if rng.random() < 0.05:
        # a deletion often carries no record at all: the id is the envelope's record_id
        return {**body, "event": "ats_jobs.deleted", "record_id": job_id}
    fields: dict[str, Any] = {"id": job_id}
    values = ["On Hold", "open", "CLOSED", "Frozen", "draft"]
    if rng.random() < 0.8:
        fields["job_status"] = {"value": rng.choice(values), "source_value": {"n": index}}
    for name, value in _FIELDS:
        if rng.random() < 0.3:
            fields[name] = value(index)
    return {**body, "event": "ats_jobs.updated", "event_data": fields}


def _replayed(events: list[JobEvent | JobPostingEvent | OtherEvent]) -> dict[str, tuple[dict[str, Any], bool]]:
    """Each job's fields and deletion, replayed serially in event-time order (ties by key): the
    oracle the concurrent projection must equal."""
    state: dict[str, tuple[dict[str, Any], bool]] = {}
    for event in sorted(events, key=lambda event: (event.event_date, idempotency_key(event))):
        assert isinstance(event, JobEvent)
        job_id = event.record.id if event.record is not None else str(event.record_id)
        assert job_id is not None
        fields, _ = state.get(job_id, ({}, False))
        if event.record is not None:
            fields = {**fields, **event.record.model_dump(mode="json", exclude_unset=True)}
        state[job_id] = (fields, event.event == "ats_jobs.deleted")
    return state


async def _send_all(server: Server, deliveries: list[tuple[bytes, dict[str, str]]]) -> list[tuple[int, bytes]]:
    """Send every delivery over `CONNECTIONS` kept-alive HTTP/1.1 connections, `CONNECTIONS` at a time.

    A minimal client on asyncio streams: httpx spends about 5 ms of CPU a request, which on a busy
    2-core machine made the client, not the receiver, the bottleneck of this test.
    """
    pending = list(reversed(deliveries))
    answers: list[tuple[int, bytes]] = []
    host = server.url.removeprefix("http://")
    address, port = host.rsplit(":", 1)

    async def sender() -> None:
        reader, writer = await asyncio.open_connection(address, int(port))
        try:
            while pending:
                body, headers = pending.pop()
                lines = [f"POST /webhooks HTTP/1.1\r\nhost: {host}\r\ncontent-length: {len(body)}\r\n"]
                lines += [f"{name}: {value}\r\n" for name, value in headers.items()]
                writer.write("".join(lines).encode() + b"\r\n" + body)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                (length,) = [
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ]
                answers.append((status, await reader.readexactly(length)))
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(sender() for _ in range(CONNECTIONS)))
    return answers


def test_deliveries_wait_for_a_held_write_lock_instead_of_failing(server: Server) -> None:
    # Another process (a maintenance script, a second worker) holds the store's write lock for half
    # a second while twenty deliveries arrive: every one waits for it and is stored, none is a 500.
    bodies = [json.dumps(_load_body(10_000 + index, random.Random(index))).encode() for index in range(20)]
    signed = stackone_headers(bodies, SERVER_SECRET)
    before = len(server.store.keys())
    with closing(sqlite3.connect(server.db_path, timeout=10, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
            sent = [pool.submit(server.post, body, headers) for body, headers in zip(bodies, signed, strict=True)]
            time.sleep(0.5)
            holder.execute("COMMIT")
            statuses = [future.result(timeout=30).status_code for future in sent]
    assert statuses == [200] * len(bodies)
    assert len(server.store.keys()) == before + len({idempotency_key(_event(body)) for body in bodies})


def _event(body: bytes) -> JobEvent | JobPostingEvent | OtherEvent:
    return WEBHOOK_EVENT_ADAPTER.validate_json(body)


def test_signed_events_over_fifty_connections_are_stored_once(tmp_path: Path) -> None:
    rng = random.Random(2000)
    distinct = [_load_body(index, rng) for index in range(DISTINCT)]
    bodies = [json.dumps(body).encode() for body in distinct]
    resent_bodies = []
    for body in rng.sample(distinct, RESENT):
        later = datetime.fromisoformat(body["sent_at"]) + timedelta(minutes=5)
        resent_bodies.append(json.dumps({**body, "sent_at": later.isoformat()}).encode())
    all_bodies = bodies + resent_bodies
    # one node process signs all of them, as the upstream signs
    deliveries = list(zip(all_bodies, stackone_headers(all_bodies, SERVER_SECRET), strict=True))
    deliveries += rng.sample(deliveries[:DISTINCT], IDENTICAL_RETRIES)
    rng.shuffle(deliveries)
    assert len(deliveries) == DELIVERIES

    env = {"JOBSTATUS_WEBHOOK_SECRET": SERVER_SECRET}  # the default scheme: the upstream's
    with running_receiver(tmp_path, env) as server:
        started = time.monotonic()
        responses = asyncio.run(asyncio.wait_for(_send_all(server, deliveries), DEADLINE_SECONDS))
        elapsed = time.monotonic() - started
        jobs = {f"job_load_{n}": server.get(f"/jobs/job_load_{n}") for n in range(JOBS)}

    assert sorted({status for status, _ in responses}) == [200]  # zero error responses
    events = [_event(body) for body in bodies]
    keys = sorted(idempotency_key(event) for event in events)
    assert len(set(keys)) == DISTINCT  # the bodies really are that many different changes
    # every distinct event is stored once, and exactly one answer per event said "new"
    assert sorted(server.store.keys()) == keys
    answers = [json.loads(content) for _, content in responses]
    assert sorted(answer["key"] for answer in answers if not answer["duplicate"]) == keys
    # the projection is what a serial replay in event-time order gives
    replayed = _replayed(events)
    assert {job_id: (state["job"], state["deleted"]) for job_id, response in jobs.items()
            if (state := response.json())} == replayed  # fmt: skip
    assert elapsed < DEADLINE_SECONDS
