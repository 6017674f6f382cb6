"""Throughput of the webhook dependency (verify + validate) against a plain FastAPI route.

Both routes get the same signed bodies, in-process through `httpx.ASGITransport` (no sockets):

- plain:    `def plain(status: JobStatus)`: FastAPI's own body handling, no verification;
- verified: `def verified(delivery: VerifiedWebhook)`: stream under the limit, Standard Webhooks
            verification, `validate_json` of the typed envelope.

The plain route validates the envelope as a `JobStatus` (extra keys allowed), so it does less
typing work than the verified one. Best of N repeats, one run, printed as a ratio.

    .venv/bin/python bench/bench_webhooks.py [--requests 2000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx
from fastapi import FastAPI

from jobstatus import JobStatus
from jobstatus.fastapi import VerifiedWebhook, configure_webhooks
from jobstatus.webhooks import StandardWebhooksScheme, WebhookConfig, receive_webhook

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SCHEME = StandardWebhooksScheme(secrets=(SECRET,))
VALUES = ["On Hold", "open", "Published", "closed", "Frozen", "DRAFT"]


def bodies(count: int) -> list[tuple[bytes, dict[str, str]]]:
    out = []
    for index in range(count):
        value = VALUES[index % len(VALUES)]
        body = json.dumps(
            {
                "event": "ats_jobs.updated",
                "id": f"evt_{index}",
                "value": value,
                "source_value": value,
                "data": {"id": f"job_{index}", "title": "Software Engineer", "job_status": {"value": value,
                         "source_value": value}, "hiring_team": [{"id": "u1", "role": "recruiter"}]},
            }
        ).encode()  # fmt: skip
        headers = {"content-type": "application/json", **SCHEME.sign_headers(body, msg_id=f"msg_{index}")}
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
        return {"ok": delivery.event.id is not None}

    return application


async def run(path: str, requests: list[tuple[bytes, dict[str, str]]], application: FastAPI) -> float:
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        started = time.perf_counter()
        for body, headers in requests:
            response = await client.post(path, content=body, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.text}")
        return len(requests) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    requests = bodies(args.requests)
    application = app()
    best = {"plain": 0.0, "verified": 0.0}
    for _ in range(args.repeats):
        # Alternate the routes within each repeat, so drift (thermal, GC) hits both alike.
        for path in ("plain", "verified"):
            best[path] = max(best[path], asyncio.run(run(f"/{path}", requests, application)))
    started = time.perf_counter()
    for body, headers in requests:
        receive_webhook(body, headers, {}, WebhookConfig(SCHEME))
    core = args.requests / (time.perf_counter() - started)
    print(f"plain route    (JobStatus body, no verification): {best['plain']:9.0f} req/s")
    print(f"verified route (VerifiedWebhook):                 {best['verified']:9.0f} req/s")
    print(f"ratio verified/plain: {best['verified'] / best['plain']:.2f}x (target >= 0.90x)")
    print(f"receive_webhook alone (no HTTP, verify + validate): {core:9.0f} deliveries/s")


if __name__ == "__main__":
    main()
