"""The benchmark runner still runs: a benchmark nobody can run has silently stopped measuring."""

import re
import shutil
import subprocess
import sys

import pytest
from bench.harness import ROOT

from tests.servers import free_port


def _bench(database_url: str, *names: str, timeout: int) -> str:
    """`python -m bench --size small` on `database_url` with these benchmarks; its printed report."""
    command = [sys.executable, "-m", "bench", "--size", "small", "--database", database_url]
    done = subprocess.run(
        [*command, "--port", str(free_port()), *names],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _figures(report: str, benchmark: str) -> dict[str, float]:
    """The value column of one benchmark's rows in the report, by figure name."""
    return {
        line.split("|")[2].strip(): float(line.split("|")[3].replace(",", ""))
        for line in report.splitlines()
        if line.startswith(f"| {benchmark} |")
    }


@pytest.mark.django_db
def test_small_generator_and_percall_benchmarks_build_a_history_and_report_their_figures(bench_database_url):
    report = _bench(bench_database_url, "generator", "percall", timeout=120)
    rows = _figures(report, "generator")
    assert rows["check-ins inserted"] > 4_000 * 7  # about two visits a day each
    assert rows["check-in insert rate"] > 0
    cpu = _figures(report, "percall")
    assert 0 < cpu["GET /healthz, CPU per request"] < cpu["POST /api/v1/checkins, CPU per check-in"]
    assert (
        0
        < cpu["POST /api/v1/checkins/batch (500 a request), CPU per item"]
        < cpu["POST /api/v1/checkins, CPU per check-in"]
    )
    assert "- machine: " in report
    assert "- command: `python -m bench --size small" in report


@pytest.mark.django_db
def test_small_export_benchmark_streams_every_row_and_reports_the_workers_peak_memory(bench_database_url):
    rows = _figures(_bench(bench_database_url, "generator", "export", timeout=180), "export")
    assert rows["CSV rows streamed"] == rows["check-ins at the exported venue"] > 20_000
    assert 50 < rows["peak RSS of the serving worker"] < 300


@pytest.mark.django_db
def test_small_flow_benchmark_measures_each_step_and_whole_flows_beside_healthz(bench_database_url):
    report = _bench(bench_database_url, "generator", "flow", timeout=300)
    rows = _figures(report, "flow")
    kinds = ("new", "returning", "family")
    for kind in kinds:
        for step in ("GET scan page", "POST form", "GET receipt"):
            assert 0 < rows[f"{kind} phone: {step}, CPU"] < 1_000
    assert rows["GET /healthz, CPU per request"] < rows["new phone: POST form, CPU"]
    if shutil.which("wrk") is None:
        assert "flow: the load runs skipped, wrk is not installed" in report
        return
    for kind in kinds:
        (line,) = [line for line in report.splitlines() if f"| flow | {kind} phone: whole flows/s |" in line]
        assert rows[f"{kind} phone: whole flows/s"] > 0
        assert re.search(r"[\d.]+ × /healthz", line) and ", 0 errors;" in line
        stored, per_flow = re.search(r"([\d,]+) check-ins stored \((\d) per flow\)", line).groups()
        assert int(per_flow) == (3 if kind == "family" else 1) and int(stored.replace(",", "")) > 0
        server, database = map(
            float, re.search(r"CPU a flow: server ([\d.]+) ms, PostgreSQL ([\d.]+) ms", line).groups()
        )
        assert server > 0 and (database > 0 or not bench_database_url.startswith("postgres"))
