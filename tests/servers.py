"""Running `qrtrace serve` as a real process in tests: a free port, and waiting until it answers."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
QRTRACE = str(Path(sys.executable).with_name("qrtrace"))


def free_port() -> int:
    # Several suites (SQLite, PostgreSQL, other engineers') may run at once: never a fixed port.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 30) -> None:
    """Return once `base`/healthz answers; raise with the server's stderr if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {process.stderr.read().decode(errors='replace')}")
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start within {timeout:g} s")


class LiveDatabase:
    """A database of its own, migrated, for `qrtrace` processes a test starts (pytest-django's test
    database is invisible to them): a SQLite file, or on a PostgreSQL run a database beside the test
    one. `sql` reads it directly; `shell` runs Django code in it; `start` launches a `qrtrace` command."""

    def __init__(self, directory: Path, settings_module: str = "qrtrace.settings"):
        self.directory = directory
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            base, _slash, name = url.rpartition("/")
            # One live database per pytest-xdist worker: two workers' modules may each hold one at once.
            live = f"{name.split('?')[0]}_live{os.environ.get('PYTEST_XDIST_WORKER', '')}"
            self.pg_admin, self.url = f"{base}/postgres", f"{base}/{live}"
            with psycopg.connect(self.pg_admin, autocommit=True) as admin:
                live = self.url.rpartition("/")[2]
                admin.execute(f'DROP DATABASE IF EXISTS "{live}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{live}"')
        else:
            self.pg_admin, self.url = None, f"sqlite:///{directory / 'qrtrace.sqlite3'}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("QRTRACE_")} | {
            "QRTRACE_DATA_DIR": str(directory),
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": settings_module,
            # This checkout's code and its tests package, whatever the virtualenv's install points at.
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        self.run("migrate", "--no-input", "-v", "0")

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [QRTRACE, *args], env=self.env | env, check=True, capture_output=True, text=True, timeout=300
        )

    def shell(self, code: str, **env: str) -> str:
        return self.run("shell", "--no-imports", "-c", code, **env).stdout

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        return subprocess.Popen(
            [QRTRACE, *args], env=self.env | env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def sql(self, query: str) -> list[tuple]:
        if self.pg_admin is None:
            with closing(sqlite3.connect(self.directory / "qrtrace.sqlite3", timeout=30)) as db:
                return db.execute(query).fetchall()
        with psycopg.connect(self.url) as db:
            return db.execute(query).fetchall()

    def drop(self) -> None:
        if self.pg_admin is not None:
            with psycopg.connect(self.pg_admin, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.url.rpartition("/")[2]}" WITH (FORCE)')


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        time.sleep(0.1)


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
