"""Running `qrtrace serve` as a real process in tests: a free port, and waiting until it answers."""

import socket
import subprocess
import time
import urllib.request


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
