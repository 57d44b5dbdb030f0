import time

from django.core.management.base import BaseCommand

from qrtrace.notifications.services import messages_deliver
from qrtrace.tracing.services import trace_jobs_run


class Command(BaseCommand):
    help = "Run background work: queued re-traces, then due messages. --once for one pass (cron, tests)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Do one pass and exit.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between passes.")

    def handle(self, *args, once: bool, interval: float, **options):
        while True:
            traced = trace_jobs_run()
            sent = messages_deliver()
            if traced or sent or once:
                self.stdout.write(f"traced {traced} case(s), sent {sent} message(s)")
            if once:
                return
            time.sleep(interval)
