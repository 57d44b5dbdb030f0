"""Run the benchmarks and print their figures as a Markdown table (paste it into docs/benchmarks.md).

    python -m bench --size small|medium|full|huge [--database URL] [--keep] [--threads N] [--before TREE]
                    [names…]

The database starts empty every run (a fresh SQLite file under var/bench/, or a PostgreSQL database
whose name contains "bench", dropped and created again); the generator then builds the province
history that the other benchmarks read. With --keep, a database that already holds a history is
reused as it is (migrated, not emptied, no generator): a 10 M history takes minutes to build, and a
benchmark that only reads it can be run again on the same rows.
"""

import argparse
import importlib
import os
import shlex
import sys
import time
from datetime import UTC, datetime

from bench.harness import ROOT, SIZES, Context, Figure, fresh_database, machine

# In the order they run; the generator first, because it builds the history the others read.
BENCHMARKS = [
    "generator",
    "percall",
    "ingest",
    "flow",
    "profile",
    "tracing",
    "export",
    "poster_batch",
    "public_page",
    "quarantine",
    "dashboard",  # after quarantine: its figures and facilities layer read quarantine's orders
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--database", help="postgres://…/qrtrace_bench (default: var/bench/<size>.sqlite3)")
    parser.add_argument("--port", type=int, default=8085, help="for the HTTP server under load")
    parser.add_argument("--threads", type=int, help="per worker of the server under load (default: serve's)")
    parser.add_argument(
        "--before", metavar="TREE", help="flow: also serve this checkout's code, measured alternately"
    )
    parser.add_argument(
        "--keep", action="store_true", help="reuse the history already in the database (no generator)"
    )
    parser.add_argument(
        "names", nargs="*", choices=[[], *BENCHMARKS], metavar="name", help=", ".join(BENCHMARKS)
    )
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    url = args.database or f"sqlite:///{ROOT / 'var' / 'bench' / f'{size.name}.sqlite3'}"
    names = [name for name in BENCHMARKS if name in args.names] if args.names else BENCHMARKS
    ctx = Context(size=size, database_url=url, port=args.port, threads=args.threads, before=args.before)

    if not args.keep:
        fresh_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"  # as in production: Django keeps no log of every query
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qrtrace.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    kept = _kept_history(ctx) if args.keep else False

    _header(ctx, argv)
    if kept:
        _statistics(ctx)
    figures: list[Figure] = []
    for name in [*([] if kept else ["generator"]), *(n for n in names if n != "generator")]:
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as missing:
            if missing.name != f"bench.{name}":
                raise
            print(f"<!-- {name}: bench/{name}.py is not there yet, skipped -->", flush=True)
            continue
        results = module.run(ctx)
        if name == "generator":
            _statistics(ctx)
        figures += results
        _print_rows(results)
        print(f"<!-- {name}: {time.perf_counter() - started:.0f} s -->", flush=True)
    for note in ctx.notes:
        print(f"\n{note}")
    print(f"\nload average at end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min)")
    missed = [f for f in figures if f.met is False]
    print(
        f"\n{len(figures)} figures, {len(missed)} below goal"
        + "".join(f"\n- {f.benchmark}: {f.name}" for f in missed)
    )
    return 0


def _kept_history(ctx: Context) -> bool:
    """Whether the database already holds a history to reuse; its size goes where the generator's would."""
    from qrtrace.checkins.models import CheckIn

    rows = CheckIn.objects.count()
    if rows:
        print(f"<!-- --keep: reusing the {rows:,} check-ins already in the database -->", flush=True)
        ctx.facts["checkins"] = rows
    return rows > 0


def _statistics(ctx: Context) -> None:
    """The planner's statistics of the history, as autovacuum keeps them on a production server.
    This machine kind's PostgreSQL runs with autovacuum off, so without this the planner sees every
    table as it was when empty (e.g. 1,800 venues estimated at 164: a hash join over all of them in
    every receipt's read). SQLite has no statistics unless ANALYZE is run, in production too."""
    if ctx.vendor != "postgresql":
        return
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        if cursor.fetchone()[0] == "off":
            cursor.execute("ANALYZE")
            ctx.notes.append(
                "PostgreSQL's autovacuum is off on this server: ANALYZE was run before the benchmarks."
            )


def _header(ctx: Context, argv: list[str] | None) -> None:
    from django.db import connection

    m = machine()
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    print(f"## Benchmark run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, size {ctx.size.name}\n")
    print(f"- command: `{command}`")
    print(
        f"- machine: {m['cores']} cores ({m['cpu']}), {m['memory']} memory, {m['os']}, Python {m['python']}"
    )
    version = (
        connection.cursor()
        .connection.execute(
            "select sqlite_version()" if connection.vendor == "sqlite" else "show server_version"
        )
        .fetchone()[0]
    )
    print(f"- database: {connection.vendor} {version}")
    # Other work on the machine moves every absolute figure; ratios from the same run move less.
    print(f"- load average at start: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min)\n")
    print("| benchmark | figure | value | unit | goal | met | note |")
    print("|---|---|---:|---|---|---|---|", flush=True)


def _print_rows(figures: list[Figure]) -> None:
    for f in figures:
        value = f"{f.value:,.0f}" if abs(f.value) >= 100 else f"{f.value:,.2f}"
        met = {True: "yes", False: "**no**", None: ""}[f.met]
        print(f"| {f.benchmark} | {f.name} | {value} | {f.unit} | {f.goal} | {met} | {f.note} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
