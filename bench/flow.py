"""The citizen's check-in as a phone does it: GET the poster's scan page, POST the form, follow the
redirect to GET the receipt. Three kinds of phone: a new browser each time (its own CSRF cookie, a
name, phone and birth year typed in, "remember me" ticked as the form comes), a returning phone (its
device cookie: one tap), and a family of three (a new browser declaring two members without a phone).

Two measurements:
- CPU per step in one process: the WSGI application called directly, step after step (no server,
  no load tool), for each kind of phone; beside it `/healthz`.
- Under load: `qrtrace serve` (granian, 2 workers) loaded by wrk (`bench/wrk/flow.lua`), whole flows
  per second beside `/healthz` measured on the same server right before each run, p99, errors, and
  the check-ins the database gained, which must be every POST the load saw answered.

With `--before TREE` (`python -m bench --keep --before /path/to/other/checkout flow`), a second server
runs that tree's code on the same database, and every load run is made on both, alternating, so the
two are compared under the same load from the rest of the machine.
"""

import os
import random
import shutil
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode

from bench.harness import Context, Figure
from bench.ingest import CONNECTIONS, _returning_people, _venues, wrk
from bench.percall import wsgi_call
from bench.server import base_url, start, stop

KINDS = {"new": 1, "returning": 1, "family": 3}  # check-ins per flow
FLOWS = {"small": 200, "medium": 500, "full": 500, "huge": 500}
WARM_UP = 20
GOAL_SHARE = 0.1  # whole flows per second ÷ /healthz
GOAL_P99_MS = 200
GOAL_CPU_MS = {"GET scan page": 1.5, "POST form": 2.5, "GET receipt": 1.0}
DEVICES = 2_000
FAMILY = [("Nguyễn Thị Con", "2015"), ("Nguyễn Văn Ông", "1948")]


def run(ctx: Context) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        people, tokens, devices = _load_files(folder)
        figures = _cpu_figures(ctx, people, tokens, devices)
        if shutil.which("wrk") is None:
            print("<!-- flow: the load runs skipped, wrk is not installed (apt-get install wrk) -->")
            return figures
        return figures + _load_figures(ctx, people, tokens, devices)


# --- What the phones send ------------------------------------------------------------------------


def _load_files(folder: Path) -> tuple[Path, Path, Path]:
    """The people who come back (bench/wrk/people.lua's format), the venues' poster tokens, and the
    device cookies of returning phones, as a browser holds them after "remember me"."""
    from django.core import signing

    from qrtrace.checkins.models import DeviceTrust
    from qrtrace.checkins.services.devices import device_register
    from qrtrace.checkins.views import _DEVICE_SALT, DEVICE_COOKIE
    from qrtrace.people.models import Person
    from qrtrace.venues.qr import venue_token

    people = _returning_people(folder)
    tokens = folder / "tokens"
    tokens.write_text("\n".join(venue_token(v) for v in _venues()) + "\n")
    owners = Person.objects.filter(guardian=None, phone_hash__isnull=False).order_by("?")[:DEVICES]
    signer = signing.get_cookie_signer(salt=DEVICE_COOKIE + _DEVICE_SALT)
    devices = folder / "devices"
    # Phones that declared their person first: remembered, so they get the one-tap page.
    cookies = (signer.sign(device_register(person=p, trust=DeviceTrust.CREATED)) for p in owners)
    devices.write_text("\n".join(cookies) + "\n")
    return people, tokens, devices


class Phone:
    """One phone's flow against the WSGI application in this process, step by step."""

    def __init__(
        self, application, kind: str, people: list[list[str]], tokens: list[str], devices: list[str]
    ):
        self.application, self.kind = application, kind
        self.people, self.tokens, self.devices = people, tokens, devices

    def steps(self):
        """(step name, callable returning the response's status and headers) for one whole flow."""
        csrf = "".join(random.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k=32))
        cookie = f"csrftoken={csrf}"
        if self.kind == "returning":
            cookie += f"; qrt_device={random.choice(self.devices)}"
        path = f"/v/{random.choice(self.tokens)}"
        if self.kind == "returning":
            form = {"csrfmiddlewaretoken": csrf, "cough": "on"}
        else:
            phone, name, _encoded, born = random.choice(self.people)
            rows = FAMILY if self.kind == "family" else []
            form = {"csrfmiddlewaretoken": csrf, "full_name": name, "phone": phone, "birth_year": born}
            form |= {"citizen_id": "", "commune": ""}
            for index in range(6):
                member = rows[index] if index < len(rows) else ("", "")
                form |= {f"member_{index}_name": member[0], f"member_{index}_year": member[1]}
            form["remember"] = "on"
        body = urlencode(form).encode()
        posted = {}

        def page():
            return self._call("GET", path, cookie=cookie, expect="200")

        def post():
            status, headers = self._call(
                "POST",
                path,
                cookie=cookie,
                body=body,
                expect="302",
                content_type="application/x-www-form-urlencoded",
            )
            posted["location"] = dict(headers)["Location"]
            return status, headers

        def receipt():
            return self._call("GET", posted["location"], cookie=cookie, expect="200")

        return [("GET scan page", page), ("POST form", post), ("GET receipt", receipt)]

    def _call(self, method, path, *, cookie, expect, body=b"", content_type=""):
        headers = {"HTTP_COOKIE": cookie, "HTTP_ACCEPT_LANGUAGE": "vi", "CONTENT_TYPE": content_type}
        status, response_headers = wsgi_call(self.application, method, path, body, headers)
        if not status.startswith(expect):
            raise RuntimeError(f"{method} {path} answered {status}, not {expect}")
        return status, response_headers


def _cpu_figures(ctx: Context, people_file: Path, tokens_file: Path, devices_file: Path) -> list[Figure]:
    from django.conf import settings

    from qrtrace.checkins.models import CheckIn
    from qrtrace.wsgi import application

    # As for the server (Context.env): every phone comes from this one address.
    settings.QRTRACE_RATELIMIT_CHECKIN_IP_PER_MINUTE = 10**9
    people = [line.split("\t") for line in people_file.read_text().splitlines()]
    tokens, devices = tokens_file.read_text().split(), devices_file.read_text().split()
    flows = FLOWS[ctx.size.name]
    healthz = Phone(application, "new", people, tokens, devices)
    for _ in range(WARM_UP):
        healthz._call("GET", "/healthz", cookie="", expect="200")
    started = time.process_time()
    for _ in range(flows):
        healthz._call("GET", "/healthz", cookie="", expect="200")
    ceiling = (time.process_time() - started) / flows * 1000
    figures = [Figure("flow", "GET /healthz, CPU per request", ceiling, "ms", note=f"{flows:,} requests")]
    # A process that has served for a while holds the scan page's mold of every commune (it is cast
    # once per commune and language: the residence select defaults to the venue's commune). Measure
    # that state: each venue's page once first, its cost a figure of its own.
    started = time.process_time()
    for token in tokens:
        healthz._call("GET", f"/v/{token}", cookie="csrftoken=" + "x" * 32, expect="200")
    first = (time.process_time() - started) / len(tokens) * 1000
    figures.append(
        Figure(
            "flow",
            "new phone: GET scan page, first pass over every venue, CPU",
            first,
            "ms",
            note=f"{len(tokens):,} venues once each, molds cast per commune",
        )
    )
    for kind, per_flow in KINDS.items():
        phone = Phone(application, kind, people, tokens, devices)
        spent: dict[str, float] = defaultdict(float)
        before = CheckIn.objects.count()
        for n in range(WARM_UP + flows):
            for step, call in phone.steps():
                started = time.process_time()
                call()
                if n >= WARM_UP:
                    spent[step] += time.process_time() - started
        stored = CheckIn.objects.count() - before
        for step, seconds in spent.items():
            ms = seconds / flows * 1000
            goal = GOAL_CPU_MS[step]
            figures.append(
                Figure(
                    "flow",
                    f"{kind} phone: {step}, CPU",
                    ms,
                    "ms",
                    f"≤ {goal}" if kind == "new" else "",
                    ms <= goal if kind == "new" else None,
                    f"{flows:,} flows after {WARM_UP} warm-up ones, in one process; "
                    f"{ms / ceiling:.1f}× /healthz"
                    + (f"; {stored:,} check-ins stored" if step == "POST form" else ""),
                )
            )
        if not _all_stored(stored, (WARM_UP + flows) * per_flow, kind):
            raise RuntimeError(f"{kind}: {stored} check-ins stored for {WARM_UP + flows} flows of {per_flow}")
    return figures


def _all_stored(stored: int, posted: int, kind: str, in_flight: int = 0) -> bool:
    """Whether the database gained a row for every check-in posted, and no more than `in_flight`
    beyond. A known visitor still inside the venue gets that visit back instead of a new row (the
    duplicate check): rare for the history's people, about one flow in 50 for a returning phone
    (2,000 of them at 2,000 venues); more than that is a lost POST."""
    allowed = posted // 50 if kind == "returning" else posted // 200
    return posted - allowed <= stored <= posted + in_flight


# --- Under load ----------------------------------------------------------------------------------


def _load_figures(ctx: Context, people: Path, tokens: Path, devices: Path) -> list[Figure]:
    from qrtrace.checkins.models import CheckIn

    seconds = ctx.size.load_seconds
    trees = {"": ctx.env()}
    if ctx.before:
        # The other tree's code on the same database and keys: only PYTHONPATH differs.
        trees["before: "] = ctx.env() | {"PYTHONPATH": str(Path(ctx.before).resolve() / "src")}
    results: dict[str, dict[str, tuple[dict, dict]]] = {label: {} for label in trees}
    files = [str(people), str(tokens), str(devices)]
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        servers, groups = {}, {}
        for index, (label, env) in enumerate(trees.items()):
            log = Path(tmp) / f"server{index}.log"
            # `served`, with the process kept: its group (granian and its workers) is what the CPU
            # figures count.
            process = start(env, port=ctx.port + index, threads=ctx.threads, log=log)
            stack.callback(stop, process)
            servers[label] = base = base_url(ctx.port + index)
            groups[label] = process.pid
            # Warm up: workers import modules and open connections on their first requests.
            wrk(f"{base}/healthz", 1)
            for kind in KINDS:  # long enough for each worker to cast most communes' scan page
                wrk(base, 3, "flow.lua", kind, *files)
        for kind in KINDS:
            for label, base in servers.items():  # alternating: each tree under the same moment's load
                # The ceiling right before each run: other work on the machine moves both alike.
                ceiling = _wrk_with_cpu(groups[label], "requests", f"{base}/healthz", seconds)
                before = CheckIn.objects.count()
                result = _wrk_with_cpu(groups[label], "posts", base, seconds, "flow.lua", kind, *files)
                result["stored"] = CheckIn.objects.count() - before
                results[label][kind] = (ceiling, result)
    return [figure for label, runs in results.items() for figure in _tree_figures(label, runs)]


def _wrk_with_cpu(group: int, counted: str, *args) -> dict:
    """`wrk(*args)`'s result, with the CPU the server (process `group`) and the database's server
    processes (PostgreSQL's, on this machine; SQLite runs inside the server) spent on each of its
    `counted` units, in ms: a flow's cost to the machine, less wrk's own."""
    before = _cpu_seconds(group)
    result = wrk(*args)
    after = _cpu_seconds(group)
    units = max(result[counted], 1)
    result["cpu_ms"] = {part: (after[part] - before[part]) / units * 1000 for part in after}
    return result


def _cpu_seconds(group: int) -> dict[str, float]:
    """User and system CPU so far of the processes in `group` and of PostgreSQL's, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    spent = {"server": 0.0, "database": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            part = "server" if os.getpgid(int(pid)) == group else None
        except (OSError, ProcessLookupError):
            continue  # ended meanwhile
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        part = part or ("database" if name.startswith("postgres") else None)
        if part:
            spent[part] += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return spent


def _tree_figures(label: str, runs: dict[str, tuple[dict, dict]]) -> list[Figure]:
    figures = []
    for kind, per_flow in KINDS.items():
        ceiling, result = runs[kind]
        flows = result["posts"] / (result["duration_us"] / 1e6)
        share = flows / ceiling["rate"]
        p99 = result["p99_us"] / 1000
        errors = result["failed"] + result["socket_errors"] + result["unexpected"]
        # wrk stops with up to one request in flight per connection: a POST the server stored whose
        # answer the load never saw.
        posted, in_flight = result["posts"] * per_flow, CONNECTIONS * per_flow
        all_stored = _all_stored(result["stored"], posted, kind, in_flight=in_flight)
        met = share >= GOAL_SHARE and p99 < GOAL_P99_MS and errors == 0 and all_stored
        figures.append(
            Figure(
                "flow",
                f"{label}{kind} phone: whole flows/s",
                flows,
                "flows/s",
                f"≥ {GOAL_SHARE} × /healthz, p99 < {GOAL_P99_MS} ms, 0 errors, every POST stored",
                met,
                f"**{share:.3f} × /healthz** ({ceiling['rate']:,.0f}/s just before); "
                f"p50 {result['p50_us'] / 1000:.1f} ms, p99 {p99:.1f} ms; "
                f"{result['pages']:,} pages, {result['posts']:,} POSTs answered, "
                f"{result['receipts']:,} receipts, {errors:,} errors; "
                f"{result['stored']:,} check-ins stored ({per_flow} per flow); {CONNECTIONS} connections; "
                f"CPU a flow: server {result['cpu_ms']['server']:.2f} ms, PostgreSQL "
                f"{result['cpu_ms']['database']:.2f} ms (a /healthz request: "
                f"{ceiling['cpu_ms']['server']:.3f} / {ceiling['cpu_ms']['database']:.3f} ms)",
            )
        )
    return figures
