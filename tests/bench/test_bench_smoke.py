"""The benchmark runner still runs: a benchmark nobody can run has silently stopped measuring."""

import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from bench.harness import ROOT
from django.conf import settings
from django.db import connection


def _bench_database(tmp_path) -> str:
    """A throwaway database of the suite's kind: a temp SQLite file, or `<test db>_bench`."""
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}_bench"))


@pytest.mark.django_db
def test_small_generator_benchmark_builds_a_history_and_reports_its_rate(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--size",
            "small",
            "--database",
            _bench_database(tmp_path),
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
