"""The demo/history generator: check-ins inserted per second (goal ≥ 100,000/s).

It builds the province history every other benchmark reads, so the runner always runs it first.
"""

import random
import time

from django.conf import settings

from bench.harness import Context, Figure, stopwatch
from qrtrace.demo.services import DemoSize, demo_history, demo_population

GOAL = 100_000


def run(ctx: Context) -> list[Figure]:
    s = ctx.size
    size = DemoSize(
        communes=s.communes, venues_per_commune=s.venues_per_commune, people=s.people, days=s.days
    )
    rng = random.Random(38)
    with stopwatch() as setup:
        population = demo_population(province_code=settings.QRTRACE_PROVINCE, size=size, rng=rng)
    # Generating the rows and inserting them are timed together: that is what `qrtrace demo` waits for.
    batches: list[float] = []  # when each batch was written; after the last come the index builds
    with stopwatch() as took:
        started = time.perf_counter()
        rows = demo_history(
            population=population,
            days=s.days,
            rng=rng,
            progress=lambda _n: batches.append(time.perf_counter()),
        )
    writing = (batches[-1] if batches else started) - started
    rate = rows / took[0]
    ctx.facts.update(venues=len(population.venues), people=len(population.people), checkins=rows)
    made = f"{len(population.venues)} venues, {len(population.people)} people in {setup[0]:.1f} s"
    return [
        Figure(
            "generator",
            "venues + people",
            len(population.venues) + len(population.people),
            "rows",
            note=made + " (ORM: encrypted phones, keyed hashes)",
        ),
        Figure(
            "generator",
            "check-ins inserted",
            rows,
            "rows",
            note=f"in {took[0]:.1f} s: {writing:.1f} s generating and writing rows, "
            f"{took[0] - writing:.1f} s building indexes (and foreign keys) at the end",
        ),
        Figure("generator", "check-in insert rate", rate, "rows/s", f"≥ {GOAL:,}", rate >= GOAL),
    ]
