"""Concurrency and load: threads agree with a serial run, and the example receiver under a real uvicorn
server stores each of 2,000 signed events (some sent twice) exactly once, with no error responses.

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
from typing import Any

import httpx
from conftest import SERVER_SECRET, Server
from pydantic import BaseModel, ValidationError

from jobstatus import (
    JobStatusValue,
)
from jobstatus.schema import SCHEMA_MODELS
from jobstatus.webhooks import StandardWebhooksScheme

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
    documents = _documents(3000)
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
# 2,000 signed events over 50 connections, against a real server
# --------------------------------------------------------------------------------------------------

EVENTS = 2000
DISTINCT = 1800  # the other 200 are retries of earlier events, sent again with the same id
CONNECTIONS = 50
DEADLINE_SECONDS = 120
SIGNER = StandardWebhooksScheme(secrets=(SERVER_SECRET,))


def _body(index: int) -> bytes:
    values = ["On Hold", "open", "CLOSED", "Frozen", "draft"]
    body = {
        "event": "ats_jobs.updated",
        "id": f"evt_load_{index}",
        "data": {
            "id": f"job_load_{index % 300}",
            "title": "Load",
            "job_status": {"value": values[index % len(values)], "source_value": {"n": index}},
        },
    }
    return json.dumps(body).encode()


async def _send_all(server: Server, deliveries: list[tuple[str, bytes]]) -> list[tuple[int, bytes]]:
    """Send every delivery over at most `CONNECTIONS` kept-alive connections, `CONNECTIONS` at a time."""
    pending = list(reversed(deliveries))
    answers: list[tuple[int, bytes]] = []
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)

    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=DEADLINE_SECONDS) as client:

        async def sender() -> None:
            while pending:
                msg_id, body = pending.pop()
                # Signed when sent, so that no delivery ages while the others are in flight.
                headers = {"content-type": "application/json", **SIGNER.sign_headers(body, msg_id=msg_id)}
                response = await client.post("/webhooks", content=body, headers=headers)
                answers.append((response.status_code, response.content))

        await asyncio.gather(*(sender() for _ in range(CONNECTIONS)))
    return answers


def test_deliveries_wait_for_a_held_write_lock_instead_of_failing(server: Server) -> None:
    # Another process (a maintenance script, a second worker) holds the store's write lock for half
    # a second while twenty deliveries arrive: every one waits for it and is stored, none is a 500.
    deliveries = [(f"msg_locked_{index}", _body(10_000 + index)) for index in range(20)]
    with closing(sqlite3.connect(server.db_path, timeout=10, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO events (key, type, body) VALUES ('lock_holder', 'test', '{}')")
        with ThreadPoolExecutor(max_workers=len(deliveries)) as pool:
            sent = [pool.submit(_post_one, server, msg_id, body) for msg_id, body in deliveries]
            time.sleep(0.5)
            holder.execute("COMMIT")
            statuses = [future.result(timeout=30) for future in sent]
    assert statuses == [200] * len(deliveries)
    assert server.rows("SELECT count(*) FROM events WHERE key LIKE 'msg_locked_%'") == [(len(deliveries),)]


def _post_one(server: Server, msg_id: str, body: bytes) -> int:
    headers = {"content-type": "application/json", **SIGNER.sign_headers(body, msg_id=msg_id)}
    return httpx.post(f"{server.url}/webhooks", content=body, headers=headers, timeout=30).status_code


def test_two_thousand_signed_events_over_fifty_connections_are_stored_once(server: Server) -> None:
    # Regression: on a busy 2-core machine this run got "database is locked" 500s from the example
    # receiver (its writers polled SQLite's lock and some lost for the whole timeout), about one
    # run in three; its writers now queue on a lock of their own.
    rng = random.Random(2000)
    deliveries = [(f"msg_load_{index}", _body(index)) for index in range(DISTINCT)]
    deliveries += [deliveries[rng.randrange(DISTINCT)] for _ in range(EVENTS - DISTINCT)]
    rng.shuffle(deliveries)

    started = time.monotonic()
    responses = asyncio.run(asyncio.wait_for(_send_all(server, deliveries), DEADLINE_SECONDS))
    elapsed = time.monotonic() - started

    assert len(responses) == EVENTS
    assert sorted({status for status, _ in responses}) == [200]
    answers = [json.loads(content) for _, content in responses]
    # exactly one answer per distinct event says "stored", every other copy says "duplicate"
    stored = [answer["key"] for answer in answers if not answer["duplicate"]]
    assert sorted(stored) == sorted(f"msg_load_{index}" for index in range(DISTINCT))
    assert server.rows("SELECT count(*), count(DISTINCT key) FROM events WHERE key LIKE 'msg_load_%'") == [
        (DISTINCT, DISTINCT)
    ]
    # the store holds each event as it was validated: the normalized status, source_value intact
    (body,) = server.rows("SELECT body FROM events WHERE key = 'msg_load_7'")[0]
    assert json.loads(str(body))["data"]["job_status"] == {"source_value": {"n": 7}, "value": "closed"}
    assert elapsed < DEADLINE_SECONDS
