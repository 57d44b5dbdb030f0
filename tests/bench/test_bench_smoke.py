"""The benchmark runner still runs: a benchmark nobody can run has silently stopped measuring."""

import subprocess
import sys

import pytest
from bench.harness import ROOT

from tests.servers import free_port


@pytest.mark.django_db
def test_small_generator_benchmark_builds_a_history_and_reports_its_rate(bench_database_url):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--size",
            "small",
            "--database",
            bench_database_url,
            "generator",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {
        line.split("|")[2].strip(): line.split("|")[3].strip()
        for line in done.stdout.splitlines()
        if line.startswith("| generator |")
    }
    assert int(rows["check-ins inserted"].replace(",", "")) > 4_000 * 7  # about two visits a day each
    assert float(rows["check-in insert rate"].replace(",", "")) > 0
    assert "- machine: " in done.stdout
    assert "- command: `python -m bench --size small" in done.stdout


@pytest.mark.django_db
def test_small_export_benchmark_streams_every_row_and_reports_the_workers_peak_memory(bench_database_url):
    command = [sys.executable, "-m", "bench", "--size", "small", "--database", bench_database_url]
    done = subprocess.run(
        [*command, "--port", str(free_port()), "generator", "export"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {
        line.split("|")[2].strip(): float(line.split("|")[3].replace(",", ""))
        for line in done.stdout.splitlines()
        if line.startswith("| export |")
    }
    assert rows["CSV rows streamed"] == rows["check-ins at the exported venue"] > 20_000
    assert 50 < rows["peak RSS of the serving worker"] < 300
