"""Throughput of the webhook dependency (verify + validate), per scheme, against a plain FastAPI route;
and the envelope's fast path against the callable-discriminator path it falls back to.

Every route gets the same bodies, each signed for its scheme, in-process through
`httpx.ASGITransport` (no sockets):

- plain:            `def plain(status: JobStatus)`: FastAPI's own body handling, no verification;
- verified <scheme>: a `webhook_dependency(WebhookConfig(scheme))` parameter: stream under the
                    limit, the scheme's check, `validate_webhook_event` of the typed envelope; one
                    route per scheme (`StackOneScheme`, `HmacSha256Scheme`,
                    `StandardWebhooksScheme`, `QueryTokenScheme`);
- stackone, old envelope: the StackOne route with `WEBHOOK_EVENT_ADAPTER.validate_json` (the
                    callable discriminator) in place of `validate_webhook_event`.

The plain route validates the envelope as a `JobStatus` (extra keys allowed), so it does less
typing work than the verified ones. Then, outside HTTP, `validate_webhook_event` against
`WEBHOOK_EVENT_ADAPTER.validate_json` on the same bodies, for a documented job event (the route's
body), a plain `status` inferred with the provider, a body with a provider payload (`raw_event`),
and an event type that is not documented (which takes the fast path's miss and then the old path).

Rates are CPU time (`time.process_time`, every thread of the process), which a busy neighbour
disturbs far less than wall time; each round times every contender back to back, in a rotating
order, and the median of the per-round ratios is printed with their range.

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI

from jobstatus import JobStatus
from jobstatus.fastapi import install, webhook_dependency
from jobstatus.webhooks import (
    WEBHOOK_EVENT_ADAPTER,
    HmacSha256Scheme,
    QueryTokenScheme,
    StackOneScheme,
    StandardWebhooksScheme,
    WebhookConfig,
    WebhookDelivery,
    WebhookScheme,
    _receiving,
    validate_webhook_event,
)

SCHEMES: dict[str, WebhookScheme] = {
    "stackone": StackOneScheme(secrets=("the signing secret",)),
    "hmac-sha256": HmacSha256Scheme(secrets=("the signing secret",), header="x-signature", encoding="hex"),
    "standard-webhooks": StandardWebhooksScheme(secrets=("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",)),
    "query-token": QueryTokenScheme(secrets=("the signing secret",)),
}
OLD_ENVELOPE = "stackone, old envelope"
ROUTES = ("plain", *SCHEMES, OLD_ENVELOPE)
VALUES = ["On Hold", "open", "Published", "closed", "Frozen", "DRAFT"]

Request = tuple[str, bytes, dict[str, str]]


def envelope(index: int) -> dict[str, Any]:
    """The route's body: a documented job event with its `job_status`, as the upstream sends it."""
    value = VALUES[index % len(VALUES)]
    return {
        "event": "ats_jobs.updated",
        "event_date": f"2025-01-01T00:00:{index % 60:02d}Z",
        "value": value,
        "source_value": value,
        "event_data": {"id": f"job_{index}", "title": "Software Engineer", "job_status": {"value": value,
                 "source_value": value}, "hiring_team": [{"id": "u1", "role": "recruiter"}]},
    }  # fmt: skip


def url_path(route: str) -> str:
    return "/plain" if route == "plain" else "/verified/" + route.partition(",")[0]


def signed(route: str, body: bytes, index: int) -> Request:
    """`body` as `route` receives it: signed (or given the token) for its scheme."""
    path, headers = url_path(route), {"content-type": "application/json"}
    scheme = SCHEMES.get(route.partition(",")[0])
    if isinstance(scheme, StandardWebhooksScheme):
        headers.update(scheme.sign_headers(body, msg_id=f"msg_{index}"))
    elif isinstance(scheme, QueryTokenScheme):
        path += "?token=the+signing+secret"
    elif isinstance(scheme, (StackOneScheme, HmacSha256Scheme)):
        headers.update(scheme.sign_headers(body))
    return path, body, headers


def requests(route: str, count: int) -> list[Request]:
    # Signed when a round starts: a Standard Webhooks timestamp is only good for five minutes.
    return [signed(route, json.dumps(envelope(index)).encode(), index) for index in range(count)]


def verified_endpoint(config: WebhookConfig) -> Callable[..., dict[str, bool]]:
    def verified(delivery: WebhookDelivery) -> dict[str, bool]:
        return {"ok": delivery.event.record_status is not None}

    # Real objects, not this module's postponed strings: FastAPI reads the dependency from here.
    verified.__annotations__ = {
        "delivery": Annotated[WebhookDelivery, Depends(webhook_dependency(config))],
        "return": dict[str, bool],
    }
    return verified


def app() -> FastAPI:
    application = FastAPI()
    install(application)

    @application.post("/plain")
    def plain(status: JobStatus) -> dict[str, bool]:
        return {"ok": status.value is not None}

    for name, scheme in SCHEMES.items():
        application.post(f"/verified/{name}")(verified_endpoint(WebhookConfig(scheme)))
    return application


@contextmanager
def envelope_path(route: str) -> Iterator[None]:
    """The old route validates with `WEBHOOK_EVENT_ADAPTER.validate_json`, every other one as shipped."""
    if route == OLD_ENVELOPE:
        _receiving.validate_webhook_event = WEBHOOK_EVENT_ADAPTER.validate_json  # type: ignore[attr-defined,assignment]
    try:
        yield
    finally:
        _receiving.validate_webhook_event = validate_webhook_event  # type: ignore[attr-defined]


async def run(route: str, batch: list[Request], application: FastAPI) -> float:
    gc.collect()  # start each run with nothing to collect, so no run pays for its predecessor's garbage
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        with envelope_path(route):
            started = time.process_time()
            for path, body, headers in batch:
                response = await client.post(path, content=body, headers=headers)
                if response.status_code != 200:
                    raise SystemExit(f"{route}: {response.status_code} {response.text}")
            return len(batch) / (time.process_time() - started)


# --------------------------------------------------------------------------------------------------
# The envelope alone: the fast path against the path it falls back to
# --------------------------------------------------------------------------------------------------


def envelope_bodies(kind: str, count: int) -> list[bytes]:
    out = []
    for index in range(count):
        body = envelope(index)
        if kind == "plain status":
            body = {"event": "ats_jobs.updated", "provider": "workday", "event_data": {"id": f"job_{index}",
                    "status": ["Frozen", "Open", "Closed"][index % 3]}}  # fmt: skip
        elif kind == "with raw_event":
            body["raw_event"] = {"action": "job_updated", "payload": {"job": {"id": index, "openings": [
                {"id": n, "status": "open", "opened_at": "2025-01-01T00:00:00Z", "custom": {"k": [n, n / 3, None]}}
                for n in range(12)]}}}  # fmt: skip
        elif kind == "undocumented type":
            body["event"] = "ats_jobs.archived"
        out.append(json.dumps(body).encode())
    return out


ENVELOPE_KINDS = ("documented job event", "plain status", "with raw_event", "undocumented type")
VALIDATORS: dict[str, Callable[[bytes], Any]] = {
    "fast": validate_webhook_event,
    "old": WEBHOOK_EVENT_ADAPTER.validate_json,
}


def validation_rate(validate: Callable[[bytes], Any], bodies: list[bytes]) -> float:
    gc.collect()
    started = time.process_time()
    for body in bodies:
        validate(body)
    return len(bodies) / (time.process_time() - started)


def envelope_ratios(count: int, rounds: int) -> dict[str, tuple[float, list[float]]]:
    """Per body kind: the old path's median rate and the per-round ratios fast/old."""
    results = {}
    for kind in ENVELOPE_KINDS:
        bodies = envelope_bodies(kind, count)
        for validate in VALIDATORS.values():
            validation_rate(validate, bodies[:20])  # what loads on first use (a provider table) loads now
        old_rates, ratios = [], []
        for round_index in range(rounds):
            order = ("fast", "old") if round_index % 2 == 0 else ("old", "fast")
            rate = {name: validation_rate(VALIDATORS[name], bodies) for name in order}
            old_rates.append(rate["old"])
            ratios.append(rate["fast"] / rate["old"])
        results[kind] = (statistics.median(old_rates), ratios)
    return results


# --------------------------------------------------------------------------------------------------
# Instruction counts
# --------------------------------------------------------------------------------------------------


def serve_in_child(route: str, count: int) -> None:
    """What a counted child does: the same start-up and warm-up for every route, then `count` requests."""
    application = app()
    for warm in ROUTES:
        asyncio.run(run(warm, requests(warm, 20), application))
    if count:
        asyncio.run(run(route, requests(route, count), application))


def validate_in_child(name: str, count: int) -> None:
    bodies = envelope_bodies("documented job event", 300)[:count]
    for validate in VALIDATORS.values():
        for body in bodies[:20]:
            validate(body)
    for body in bodies:
        VALIDATORS[name](body)


def instructions(child: list[str]) -> int:
    """Instructions a child executes, counted by callgrind."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__]
    # A fixed hash seed: the same dict and set layouts, so the same count on every run.
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    finished = subprocess.run([*command, *child], capture_output=True, text=True, check=True, env=environment)
    match = re.search(r"Collected : (\d+)", finished.stderr)
    if match is None:
        raise SystemExit(f"callgrind printed no count:\n{finished.stderr}")
    return int(match[1])


def instruction_counts(count: int) -> None:
    if shutil.which("valgrind") is None:
        print("instructions: skipped, valgrind is not installed")
        return
    base = instructions(["--child", "plain", "0"])
    per_request = {route: (instructions(["--child", route, str(count)]) - base) / count for route in ROUTES}
    print(f"\ninstructions per request (callgrind, {count} requests; the same on every run):")
    print(f"  {'route':<24} {'instructions':>12}  {'plain / route':>13}")
    for route, value in per_request.items():
        print(f"  {route:<24} {value:>12,.0f}  {per_request['plain'] / value:>12.3f}x")
    base = instructions(["--validate", "fast", "0"])
    per_body = {name: (instructions(["--validate", name, str(count)]) - base) / count for name in VALIDATORS}
    print(
        f"  envelope alone (documented job event): fast {per_body['fast']:,.0f}, old {per_body['old']:,.0f} "
        f"per body; old / fast {per_body['old'] / per_body['fast']:.3f}x"
    )


# --------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------


def spread(ratios: list[float]) -> str:
    return f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"


def route_ratios(count: int, rounds: int) -> tuple[dict[str, list[float]], dict[str, list[float]], list[float]]:
    """Per route its rates and its ratios to plain; and the StackOne route's new/old envelope ratios."""
    application = app()
    rates: dict[str, list[float]] = {route: [] for route in ROUTES}
    ratios: dict[str, list[float]] = {route: [] for route in ROUTES}
    gains = []
    for round_index in range(rounds):
        # Each round times every route back to back, in a rotating order, and keeps the ratios:
        # drift on a shared machine (other processes, thermal, GC) hits a whole round alike.
        order = ROUTES[round_index % len(ROUTES) :] + ROUTES[: round_index % len(ROUTES)]
        rate = {route: asyncio.run(run(route, requests(route, count), application)) for route in order}
        for route in ROUTES:
            rates[route].append(rate[route])
            ratios[route].append(rate[route] / rate["plain"])
        gains.append(rate["stackone"] / rate[OLD_ENVELOPE])
    return rates, ratios, gains


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="requests per route and round")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--instructions", type=int, default=0, metavar="N", help="also count instructions")
    parser.add_argument("--child", nargs=2, metavar=("ROUTE", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--validate", nargs=2, metavar=("PATH", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        serve_in_child(args.child[0], int(args.child[1]))
        return
    if args.validate:
        validate_in_child(args.validate[0], int(args.validate[1]))
        return
    print(
        f"bench/bench_webhooks.py --requests {args.requests} --rounds {args.rounds} --instructions {args.instructions}"
        f" (Python {sys.version.split()[0]}); CPU time, median of {args.rounds} paired rounds (range)"
    )
    rates, ratios, gains = route_ratios(args.requests, args.rounds)
    print(f"\n  {'route':<24} {'req/s':>7}  route / plain")
    for route in ROUTES:
        print(f"  {route:<24} {statistics.median(rates[route]):>7.0f}  {spread(ratios[route])}")
    print(f"  stackone, new envelope / old envelope: {spread(gains)}")
    print(f"\nenvelope alone ({args.requests} bodies): validate_webhook_event / WEBHOOK_EVENT_ADAPTER.validate_json")
    for kind, (old_rate, kind_ratios) in envelope_ratios(args.requests, args.rounds).items():
        print(f"  {kind:<22} old {old_rate:>7.0f} bodies/s  fast / old {spread(kind_ratios)}")
    started = time.process_time()
    config = WebhookConfig(SCHEMES["stackone"])
    for _, body, headers in requests("stackone", args.requests):
        _receiving.receive_webhook(body, headers, {}, config)
    core = args.requests / (time.process_time() - started)
    print(f"\nreceive_webhook alone (StackOneScheme, no HTTP, verify + validate): {core:.0f} deliveries/s")
    if args.instructions:
        instruction_counts(args.instructions)


if __name__ == "__main__":
    main()
