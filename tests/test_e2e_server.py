"""End to end: the example receiver under a real uvicorn server, driven over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import time

import httpx
from conftest import SERVER_SECRET, Server

from jobstatus.webhooks import StandardWebhooksScheme

SIGNER = StandardWebhooksScheme(secrets=(SERVER_SECRET,))


def _event(event_id: str, value: str, job_id: str = "c28xIQ") -> bytes:
    body = {
        "event": "ats_jobs.updated",
        "id": event_id,
        "data": {"id": job_id, "remote_id": "8187e5da", "title": "Software Engineer",
                 "job_status": {"value": value, "source_value": value}, "hiring_team": [{"name": "Ada"}]},
    }  # fmt: skip
    return json.dumps(body).encode()


def _post(server: Server, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{server.url}/webhooks", content=body, headers={"content-type": "application/json", **headers}, timeout=10
    )


def test_refusals_leave_nothing_in_the_store(server: Server) -> None:
    body = _event("evt_refused", "Closed", job_id="refused")
    signed = SIGNER.sign_headers(body, msg_id="msg_refused")
    cases = [
        # unsigned
        (body, {}, 401),
        # tampered after signing
        (body.replace(b"Closed", b"Open"), signed, 401),
        # replayed: a valid signature over a timestamp outside the tolerance
        (body, SIGNER.sign_headers(body, msg_id="msg_old", timestamp=time.time() - 600), 401),
        # too large
        (b" " * (1024 * 1024 + 1), signed, 413),
        # signed but malformed
        (b"{nope", SIGNER.sign_headers(b"{nope", msg_id="msg_bad"), 422),
    ]
    for content, headers, status in cases:
        assert _post(server, content, headers).status_code == status
    wrong_type = httpx.post(f"{server.url}/webhooks", content=body, headers={"content-type": "text/plain", **signed})
    assert wrong_type.status_code == 415
    assert server.rows("SELECT key FROM events WHERE key LIKE '%refused%' OR key IN ('msg_old', 'msg_bad')") == []
    assert server.rows("SELECT id FROM jobs WHERE id = 'refused'") == []
    assert httpx.get(f"{server.url}/jobs/refused").status_code == 404


def test_signed_events_are_stored_once_and_the_latest_status_served(server: Server) -> None:
    first = _event("evt_1", "On Hold")
    headers = SIGNER.sign_headers(first, msg_id="msg_1")
    assert _post(server, first, headers).json() == {"key": "msg_1", "duplicate": False}
    # the retried delivery is answered 2xx again and stored once
    retry = _post(server, first, headers)
    assert retry.status_code == 200
    assert retry.json() == {"key": "msg_1", "duplicate": True}
    assert server.rows("SELECT count(*) FROM events WHERE key = 'msg_1'") == [(1,)]
    stored = json.loads(str(server.rows("SELECT body FROM events WHERE key = 'msg_1'")[0][0]))
    assert stored["data"]["hiring_team"] == [{"name": "Ada"}]
    assert stored["data"]["job_status"] == {"source_value": "On Hold", "value": "on_hold"}

    job = httpx.get(f"{server.url}/jobs/c28xIQ").json()
    assert job["job_status"] == {"source_value": "On Hold", "value": "on_hold"}

    second = _event("evt_2", "CLOSED")
    assert _post(server, second, SIGNER.sign_headers(second, msg_id="msg_2")).status_code == 200
    job = httpx.get(f"{server.url}/jobs/c28xIQ").json()
    assert job == {
        "id": "c28xIQ",
        "remote_id": "8187e5da",
        "title": "Software Engineer",
        "job_status": {"source_value": "CLOSED", "value": "closed"},
        "event_key": "msg_2",
    }
    assert server.rows("SELECT job_status FROM jobs WHERE id = 'c28xIQ'") == [
        ('{"source_value":"CLOSED","value":"closed"}',)
    ]
