"""CPU per request in one process: the WSGI application called directly, one request after another,
for `/healthz`, for `POST /api/v1/checkins` and for `POST /api/v1/checkins/batch` (per item, of
500-item batches) with the bodies the wrk load sends. No server, no load
tool, no lock waits: how much of a check-in is Python and SQL, which a run under wrk cannot separate.
Run it with another tree's code (`PYTHONPATH=<tree>/src python -m bench --keep percall`) to compare."""

import io
import json
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.harness import Context, Figure
from bench.ingest import BATCH, api_load_arguments

REQUESTS = {"small": 300, "medium": 1_000, "full": 1_000, "huge": 1_000}
BATCHES = {"small": 6, "medium": 10, "full": 10, "huge": 10}
WARM_UP = 50
NEW_NAME = "Nguyễn Văn Mới"  # as bench/wrk/people.lua names a new phone


def run(ctx: Context) -> list[Figure]:
    from qrtrace.wsgi import application

    with tempfile.TemporaryDirectory() as tmp:
        token, people_file, codes_file = api_load_arguments(ctx, Path(tmp))
        people = [line.split("\t")[:2] for line in Path(people_file).read_text().splitlines()]
        codes = Path(codes_file).read_text().split()
    rng = random.Random()
    headers = {"CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": f"Bearer {token}"}

    def checkin() -> str:
        phone, name = rng.choice(people)
        body = {"venue_code": rng.choice(codes), "person": {"phone": phone, "full_name": name}}
        return wsgi_call(application, "POST", "/api/v1/checkins", json.dumps(body).encode(), headers)[0]

    def visitor() -> tuple[str, str]:  # nine in ten known, as bench/wrk/people.lua sends them
        return (
            tuple(rng.choice(people))
            if rng.random() < 0.9
            else (f"+8491{rng.randrange(10**7):07d}", NEW_NAME)
        )

    def batch() -> str:
        entered = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
        items = []
        for _ in range(BATCH):
            phone, name = visitor()
            items.append(
                {
                    "client_id": str(uuid.uuid4()),
                    "venue_code": rng.choice(codes),
                    "entered_at": entered,
                    "person": {"phone": phone, "full_name": name},
                }
            )
        body = json.dumps({"items": items}).encode()
        return wsgi_call(application, "POST", "/api/v1/checkins/batch", body, headers)[0]

    count = REQUESTS[ctx.size.name]
    healthz = _cpu_per_call(lambda: wsgi_call(application, "GET", "/healthz")[0], count, "200 OK")
    api = _cpu_per_call(checkin, count, "201 Created")
    batches = BATCHES[ctx.size.name]
    per_batch = _cpu_per_call(batch, batches, "200 OK", warm_up=2)
    return [
        Figure(
            "percall",
            "GET /healthz, CPU per request",
            healthz,
            "ms",
            note=f"{count:,} requests, in one process",
        ),
        Figure(
            "percall",
            "POST /api/v1/checkins, CPU per check-in",
            api,
            "ms",
            note=f"{count:,} after {WARM_UP} warm-up ones, in one process; {api / healthz:.1f}× /healthz",
        ),
        Figure(
            "percall",
            f"POST /api/v1/checkins/batch ({BATCH} a request), CPU per item",
            per_batch / BATCH,
            "ms",
            note=f"{batches} batches after 2 warm-up ones, in one process; {per_batch:,.0f} ms per batch",
        ),
    ]


def _cpu_per_call(call: Callable[[], str], count: int, expected: str, warm_up: int = WARM_UP) -> float:
    for _ in range(warm_up):
        call()
    started = time.process_time()
    statuses = [call() for _ in range(count)]
    spent = time.process_time() - started
    wrong = [status for status in statuses if status != expected]
    # A repeat of a visit still in progress answers 200: rare with random people and venues, and cheaper.
    if len(wrong) > count // 20:
        raise RuntimeError(f"{len(wrong)} of {count} answers were not {expected!r}: {wrong[:3]}")
    return spent / count * 1000


def wsgi_call(
    application, method: str, path: str, body: bytes = b"", headers: dict | None = None
) -> tuple[str, list[tuple[str, str]]]:
    """One request through the WSGI application in this process; its status and headers."""
    path, _mark, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        **(headers or {}),
    }
    answers = []
    response = application(environ, lambda status, headers: answers.append((status, headers)))
    b"".join(response)
    response.close()
    return answers[0]
