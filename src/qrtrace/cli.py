"""The `qrtrace` command: Django's management commands, plus `serve`.

qrtrace migrate | demo | official add … | createsuperuser | purge | …   (Django commands)
qrtrace serve [--host 127.0.0.1] [--port 8000] [--workers N] [--no-worker]
"""

import argparse
import os
import subprocess
import sys

STATIC_MAX_AGE_HASHED = 365 * 24 * 3600
STATIC_MAX_AGE = 24 * 3600  # granian's default


def serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="qrtrace serve", description="Serve QRTrace with granian.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    # Two, not more: the check-in path is CPU in Python, so more threads per process only queue on the
    # GIL, on SQLite while holding the write turn: with 4, throughput fell and p99 rose on both
    # databases (docs/benchmarks.md, "Threads per worker"). One thread did better still but lets one
    # long download (a streamed export) hold a whole worker.
    parser.add_argument("--threads", type=int, default=2, help="Blocking threads per worker.")
    parser.add_argument(
        "--no-worker",
        dest="worker",
        action="store_false",
        help="Do not start `qrtrace worker` beside the server (run it as its own service).",
    )
    args = parser.parse_args(argv)
    # Printed codes point where this server answers unless the deployment says where
    # (`make run PORT=8123` must not print posters for port 8000).
    os.environ.setdefault("QRTRACE_PUBLIC_BASE_URL", public_base_url(args.host, args.port))

    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("collectstatic", interactive=False, verbosity=0)

    # The background worker (tasks and schedules) as a child process, stopped with the server; it also
    # stops by itself if this process is killed without a chance to stop it.
    worker = None
    if args.worker:
        worker = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "qrtrace.cli", "worker", "--stop-with-parent", str(os.getpid())]
        )
    try:
        _granian(args, settings)
    finally:
        if worker is not None:
            worker.terminate()  # the worker finishes its current task, then exits
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()  # its task is given back to the queue by the next worker


def public_base_url(host: str, port: int) -> str:
    """The address a phone on this machine reaches the server at, for `host` and `port` as served."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - listening everywhere: name this machine itself
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _granian(args: argparse.Namespace, settings) -> None:
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
    from granian import Granian
    from granian.constants import Interfaces

    # granian serves /static from the collected files itself (in Rust), so Django workers only
    # ever see application requests. With hashed names (production's manifest storage) a file's URL
    # changes with its content, so a phone may keep it a year and downloads the CSS once; pages
    # only ever link the hashed names. Unhashed names (development) keep granian's one day.
    hashed = isinstance(staticfiles_storage, ManifestFilesMixin)
    Granian(
        "qrtrace.wsgi:application",
        address=args.host,
        port=args.port,
        interface=Interfaces.WSGI,
        workers=args.workers,
        blocking_threads=args.threads,
        static_path_route=[settings.STATIC_URL.rstrip("/")],
        static_path_mount=[settings.STATIC_ROOT],
        static_path_expires=STATIC_MAX_AGE_HASHED if hashed else STATIC_MAX_AGE,
        respawn_failed_workers=True,
        # A worker that misses its stop signal (seen once, under load) is killed rather than holding
        # the server, and so its background worker, for ever.
        workers_kill_timeout=20,
        log_access=False,
    ).serve()


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qrtrace.settings")
    if argv[:1] == ["serve"]:
        serve(argv[1:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qrtrace", *argv])


if __name__ == "__main__":
    main()
