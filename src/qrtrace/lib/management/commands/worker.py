from django.core.management.base import BaseCommand, CommandError

from qrtrace.lib.background import Worker


class Command(BaseCommand):
    help = (
        "Run background work: queued tasks (re-traces, messages, poster batches) and the schedules of "
        "QRTRACE_SCHEDULES (purge, partitions, automatic check-out, …). `qrtrace serve` starts one; "
        "more workers share the work and still fire each schedule once per period."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Run what is due and ready, then exit (cron, tests)."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when there is nothing to do."
        )
        # `qrtrace serve` passes its own pid, so a worker it started stops with it even when the
        # server is killed without a chance to stop its child.
        parser.add_argument("--stop-with-parent", type=int, default=None, metavar="PID")

    def handle(self, *args, once: bool, interval: float, stop_with_parent: int | None, **options):
        if interval <= 0 or interval > 3600:
            raise CommandError("--interval must be more than 0 and at most 3600 seconds.")
        worker = Worker(interval=interval, parent_pid=stop_with_parent)
        if once:
            self.stdout.write(f"ran {worker.run_until_idle()} task(s)")
            return
        worker.run()
