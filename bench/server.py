"""`qrtrace serve` in a subprocess of its own: the production server, loaded from another process."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def served(
    env: dict[str, str], *, port: int, workers: int = 2, threads: int | None = None, log: Path | None = None
) -> Iterator[str]:
    """Serve on 127.0.0.1:`port` until the block ends; yields the base URL. The server runs in its
    own process group so that `kill_hard` can take down granian and every worker at once. `threads`
    per worker: `qrtrace serve`'s default unless given."""
    process = start(env, port=port, workers=workers, threads=threads, log=log)
    try:
        yield base_url(port)
    finally:
        stop(process)


def base_url(port: int) -> str:
    """Where a server `start`ed on `port` answers."""
    return f"http://127.0.0.1:{port}"


def start(
    env: dict[str, str], *, port: int, workers: int = 2, threads: int | None = None, log: Path | None = None
) -> subprocess.Popen:
    # Without the background worker: on a history just generated its schedules all fall due at once
    # (the automatic check-out of the generated visits, the figures' first rebuild, ...) and hold
    # SQLite's write lock for minutes, which once left the API load with no answer at all. Each
    # job has its own benchmark (dashboard: the figures' refresh; tracing; export).
    command = [sys.executable, "-m", "qrtrace.cli", "serve", "--port", str(port), "--workers", str(workers)]
    command += ["--no-worker"]
    if threads is not None:
        command += ["--threads", str(threads)]
    output = log.open("ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
    )
    wait_until_up(f"{base_url(port)}/healthz", process)
    return process


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"no answer from {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """Ask granian to finish its requests and exit; kill it if it will not."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_hard(process)


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL the server and all its workers, as a crash or the OOM killer would."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait()


def session_cookie(user) -> str:
    """A signed-in official's session, as the Cookie header a browser would send."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def timed_gets(url: str, *, count: int, cookie: str = "", warm_up: int = 3) -> list[float]:
    """Milliseconds of each of `count` GETs one after another (after `warm_up` untimed ones: the
    workers' imports and connections). Fails on anything but a 200, and on a bounce to sign-in."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    for _ in range(warm_up):
        urllib.request.urlopen(request, timeout=60).read()
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            if response.status != 200 or "/login/" in response.url:
                raise RuntimeError(f"{url}: {response.status} at {response.url}")
        timings.append((time.perf_counter() - started) * 1000)
    return timings
