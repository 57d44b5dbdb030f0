"""The benchmark runner still runs: a benchmark nobody can run has silently stopped measuring."""

import subprocess
import sys

import pytest
from bench.harness import ROOT


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
