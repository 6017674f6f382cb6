"""Throughput of the webhook dependency (verify + validate) against a plain FastAPI route.

Both routes get the same signed bodies, in-process through `httpx.ASGITransport` (no sockets):

- plain:    `def plain(status: JobStatus)`: FastAPI's own body handling, no verification;
- verified: `def verified(delivery: VerifiedWebhook)`: stream under the limit, the upstream's
            signature (`StackOneScheme`), `validate_json` of the typed envelope.

The plain route validates the envelope as a `JobStatus` (extra keys allowed), so it does less
typing work than the verified one. Rates are CPU time (`time.process_time`, every thread of the
process), which a busy neighbour disturbs far less than wall time; each round pairs the two routes
and the median of the per-round ratios is printed.

Even CPU time drifts by several percent between rounds on a shared machine, so `--instructions N`
also counts the instructions each route executes per request under valgrind's callgrind, a count
that is the same on every run: each route serves N requests in a child process, and a child that
serves none is subtracted (start-up, app, bodies).

    .venv/bin/python bench/bench_webhooks.py [--requests 2000] [--rounds 9] [--instructions 300]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import httpx
from fastapi import FastAPI

from jobstatus import JobStatus
from jobstatus.fastapi import VerifiedWebhook, configure_webhooks
from jobstatus.webhooks import StackOneScheme, WebhookConfig, receive_webhook

SCHEME = StackOneScheme(secrets=("the signing secret",))
VALUES = ["On Hold", "open", "Published", "closed", "Frozen", "DRAFT"]


def bodies(count: int) -> list[tuple[bytes, dict[str, str]]]:
    out = []
    for index in range(count):
        value = VALUES[index % len(VALUES)]
        body = json.dumps(
            {
                "event": "ats_jobs.updated",
                "event_date": f"2025-01-01T00:00:{index % 60:02d}Z",
                "value": value,
                "source_value": value,
                "event_data": {"id": f"job_{index}", "title": "Software Engineer", "job_status": {"value": value,
                         "source_value": value}, "hiring_team": [{"id": "u1", "role": "recruiter"}]},
            }
        ).encode()  # fmt: skip
        headers = {"content-type": "application/json", **SCHEME.sign_headers(body)}
        out.append((body, headers))
    return out


def app() -> FastAPI:
    application = FastAPI()
    configure_webhooks(application, WebhookConfig(SCHEME))

    @application.post("/plain")
    def plain(status: JobStatus) -> dict[str, bool]:
        return {"ok": status.value is not None}

    @application.post("/verified")
    def verified(delivery: VerifiedWebhook) -> dict[str, bool]:
        return {"ok": delivery.event.record_status is not None}

    return application


async def run(path: str, requests: list[tuple[bytes, dict[str, str]]], application: FastAPI) -> float:
    gc.collect()  # start each run with nothing to collect, so no run pays for its predecessor's garbage
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        started = time.process_time()
        for body, headers in requests:
            response = await client.post(path, content=body, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.text}")
        return len(requests) / (time.process_time() - started)


def serve_in_child(path: str, count: int) -> None:
    """What a counted child does: the same start-up and warm-up for every route, then `count` requests."""
    requests = bodies(300)[:count]
    application = app()
    for warm in ("plain", "verified"):
        asyncio.run(run(f"/{warm}", bodies(20), application))
    if count:
        asyncio.run(run(f"/{path}", requests, application))


def instructions(path: str, count: int) -> int:
    """Instructions a child serving `count` requests of `path` executes, counted by callgrind."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__]
    # A fixed hash seed: the same dict and set layouts, so the same count on every run.
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    finished = subprocess.run(
        [*command, "--child", path, str(count)], capture_output=True, text=True, check=True, env=environment
    )
    match = re.search(r"Collected : (\d+)", finished.stderr)
    if match is None:
        raise SystemExit(f"callgrind printed no count:\n{finished.stderr}")
    return int(match[1])


def instruction_ratio(count: int) -> None:
    if shutil.which("valgrind") is None:
        print("instructions: skipped, valgrind is not installed")
        return
    base = instructions("plain", 0)
    per_request = {path: (instructions(path, count) - base) / count for path in ("plain", "verified")}
    print(
        f"instructions per request (callgrind, {count} requests): plain {per_request['plain']:,.0f}, "
        f"verified {per_request['verified']:,.0f}; "
        f"ratio verified/plain {per_request['plain'] / per_request['verified']:.3f}x (target >= 0.90x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="requests per route and round")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--instructions", type=int, default=0, metavar="N", help="also count instructions")
    parser.add_argument("--child", nargs=2, metavar=("ROUTE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        serve_in_child(args.child[0], int(args.child[1]))
        return
    requests = bodies(args.requests)
    application = app()
    rates: dict[str, list[float]] = {"plain": [], "verified": []}
    ratios = []
    for round_index in range(args.rounds):
        # Each round times both routes back to back, in alternating order, and keeps their ratio:
        # drift on a shared machine (other processes, thermal, GC) hits both halves of a pair alike.
        order = ("plain", "verified") if round_index % 2 == 0 else ("verified", "plain")
        rate = {path: asyncio.run(run(f"/{path}", requests, application)) for path in order}
        for path, value in rate.items():
            rates[path].append(value)
        ratios.append(rate["verified"] / rate["plain"])
    started = time.process_time()
    config = WebhookConfig(SCHEME)
    for body, headers in requests:
        receive_webhook(body, headers, {}, config)
    core = args.requests / (time.process_time() - started)
    low, high = min(ratios), max(ratios)
    print(f"plain route    (JobStatus body, no verification): {statistics.median(rates['plain']):9.0f} req/s")
    print(f"verified route (VerifiedWebhook):                 {statistics.median(rates['verified']):9.0f} req/s")
    print(f"ratio verified/plain: median {statistics.median(ratios):.2f}x over {args.rounds} rounds "
          f"(range {low:.2f}-{high:.2f}; target >= 0.90x)")  # fmt: skip
    print(f"receive_webhook alone (no HTTP, verify + validate): {core:9.0f} deliveries/s")
    if args.instructions:
        instruction_ratio(args.instructions)


if __name__ == "__main__":
    main()
