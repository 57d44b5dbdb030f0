"""The venues engineer's poster benchmark (bench/posters.py) as a runner benchmark: goal 1,000 posters
in one PDF in under 60 s. It adds its venues to the first commune, so it runs last."""

import tempfile
from pathlib import Path

from bench import posters
from bench.harness import Context, Figure

GOAL_SECONDS = 60


def run(ctx: Context) -> list[Figure]:
    count = 100 if ctx.size.name == "small" else 1_000
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "posters.pdf"
        seconds = posters.run(count=count, out=out)
        megabytes = out.stat().st_size / 1e6
    figures = [Figure("posters", f"{count} posters in one PDF", seconds, "s", note=f"{megabytes:.1f} MB")]
    if count == 1_000:
        figures[0].goal, figures[0].met = f"< {GOAL_SECONDS} s", seconds < GOAL_SECONDS
    return figures
