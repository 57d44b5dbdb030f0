"""Where the API check-in path spends its time: py-spy samples every server worker during a wrk run
of POST /api/v1/checkins; the report lists the functions holding the most wall-clock samples."""

import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from bench.harness import Context, Figure
from bench.ingest import api_load_arguments, wrk
from bench.server import served

TOP = 15
# Frames that wrap every request (server, WSGI, middleware plumbing) say nothing about the hot spot.
PLUMBING = (
    "granian",
    "wsgi",
    "handlers/",
    "middleware",
    "threading.py",
    "runpy",
    "cli.py",
    "deprecation",
    "ninja/",
    "contextlib",
    "importlib",
)


def run(ctx: Context) -> list[Figure]:
    spy = shutil.which("py-spy") or str(Path(__file__).resolve().parent.parent / ".venv/bin/py-spy")
    if shutil.which("wrk") is None or not Path(spy).exists():
        print("<!-- profile: skipped, needs wrk and py-spy (pip install py-spy) -->")
        return []
    seconds = max(ctx.size.load_seconds, 5)
    with tempfile.TemporaryDirectory() as tmp, served(ctx.env(), port=ctx.port, threads=ctx.threads) as base:
        raw = Path(tmp) / "profile.txt"
        pid = _server_pid(ctx.port)
        arguments = api_load_arguments(ctx, Path(tmp))
        wrk(base, 1, "checkins.lua", *arguments)  # warm up, as in bench/ingest.py
        recorder = subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                pid,
                "--subprocesses",
                "--format",
                "raw",
                "--rate",
                "200",
                "--duration",
                str(seconds),
                "--output",
                str(raw),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        wrk(base, seconds + 1, "checkins.lua", *arguments)
        _out, error = recorder.communicate(timeout=60)
        if recorder.returncode or not raw.exists():
            print(f"<!-- profile: py-spy failed ({error.strip()[-200:]}) -->")
            return []
        ctx.notes.append(_report(raw))
    return []


def _server_pid(port: int) -> str:
    found = subprocess.run(
        ["pgrep", "-f", f"qrtrace.cli serve --port {port}"], capture_output=True, text=True
    )
    return found.stdout.split()[0]


def _report(raw: Path) -> str:
    """Share of samples in which each function is on the stack (inclusive), busiest first."""
    inclusive, total = Counter(), 0
    for line in raw.read_text().splitlines():
        stack, _space, count = line.rpartition(" ")
        total += int(count)
        frames = {
            re.sub(r":\d+\)$", ")", frame)  # one function, whichever of its lines was running
            for frame in stack.split(";")
            if " (" in frame and not any(p in frame.lower() for p in PLUMBING)
        }
        for frame in frames:
            inclusive[frame] += int(count)
    lines = [f"{100 * n / total:5.1f} %  {frame}" for frame, n in inclusive.most_common(TOP)]
    return (
        "py-spy, POST /api/v1/checkins under load (share of wall-clock samples, inclusive):\n\n```\n"
        + "\n".join(lines)
        + "\n```"
    )
