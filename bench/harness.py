"""What every benchmark shares: sizes, the database it runs on, figures, percentiles, the machine."""

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Size:
    """How big a run is. `people × days × 2` is about the number of check-ins generated."""

    name: str
    communes: int
    venues_per_commune: int
    people: int
    days: int
    load_seconds: int  # per HTTP load run
    cases: int  # random cases traced


SIZES = {
    # CI-friendly: the whole `make bench` stays well under two minutes on two cores.
    "small": Size("small", communes=5, venues_per_commune=40, people=4_000, days=7, load_seconds=3, cases=20),
    # ~1 M check-ins: a district, or the province on a quiet week.
    "medium": Size("medium", 60, 30, 24_000, 21, load_seconds=10, cases=100),
    # ~10 M check-ins: the province's 21 days of retention at half a million check-ins a day.
    "full": Size("full", 166, 60, 240_000, 21, load_seconds=20, cases=100),
    # ~50 M check-ins (PostgreSQL): the province at its busiest.
    "huge": Size("huge", 166, 120, 1_200_000, 21, load_seconds=20, cases=100),
}


@dataclass
class Figure:
    benchmark: str
    name: str
    value: float
    unit: str
    goal: str = ""
    met: bool | None = None
    note: str = ""


@dataclass
class Context:
    size: Size
    database_url: str
    port: int
    threads: int | None = None  # per server worker; `qrtrace serve`'s default when None
    before: str | None = None  # another checkout whose code is served beside this one (bench/flow.py)
    facts: dict[str, object] = field(default_factory=dict)  # shared between benchmarks (e.g. history)
    notes: list[str] = field(default_factory=list)  # printed after the table (e.g. EXPLAIN output)

    @property
    def vendor(self) -> str:
        return "postgresql" if self.database_url.startswith(("postgres://", "postgresql://")) else "sqlite"

    def env(self) -> dict[str, str]:
        """The environment for a `qrtrace` subprocess on the same database and keys."""
        env = {**os.environ, "DATABASE_URL": self.database_url, "PYTHONPATH": str(ROOT / "src")}
        # Measure what production runs: no query log, no debug pages. The load comes from one address,
        # where production sees a crowd: lift the per-address check-in limit (the limiter still runs).
        return env | {"DEBUG": "0", "QRTRACE_RATELIMIT_CHECKIN_IP_PER_MINUTE": str(10**9)}


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) by linear interpolation, as numpy and most load tools report it."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(p) - 1]


def people_without_case(count: int, **filters) -> list[int]:
    """Ids of `count` people spread over the whole history (every commune), none of them a case yet:
    a person has at most one open case, and benchmarks run one after another on the same history."""
    from qrtrace.people.models import Person

    rows = Person.objects.filter(cases__isnull=True, **filters).order_by("?")
    return list(rows.values_list("pk", flat=True)[:count])


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as took:` … `took[0]` is the elapsed seconds."""
    took: list[float] = []
    start = time.perf_counter()
    try:
        yield took
    finally:
        took.append(time.perf_counter() - start)


def fresh_database(url: str) -> None:
    """Start from an empty database. PostgreSQL databases must be named *bench*: this drops them."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(parts.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: benchmark databases must be named *bench*")
    import psycopg

    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def machine() -> dict[str, str]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": str(os.cpu_count()),
        "memory": f"{memory:.1f} GiB",
        "cpu": _cpu_model(),
        "os": platform.platform(terse=True),
        "python": sys.version.split()[0],
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def qrtrace(ctx: Context, *args: str) -> str:
    """Run a `qrtrace` command on the benchmark database; returns its output."""
    command = [sys.executable, "-m", "qrtrace.cli", *args]
    done = subprocess.run(command, env=ctx.env(), capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode:
        raise RuntimeError(f"qrtrace {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout
