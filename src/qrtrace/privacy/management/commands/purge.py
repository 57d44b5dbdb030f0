from django.core.management.base import BaseCommand
from django.utils import timezone

from qrtrace.privacy.services import checkin_purge_expired


class Command(BaseCommand):
    help = (
        "Delete check-ins and declarations older than QRTRACE_RETENTION_DAYS (except those an open case "
        "needs) and the people left with no records. Run daily, e.g. from cron or a systemd timer."
    )

    def handle(self, *args, **options):
        result = checkin_purge_expired(now=timezone.now())
        self.stdout.write(
            f"before {result.cutoff:%Y-%m-%d %H:%M %Z}: {result.checkins_deleted} check-ins deleted, "
            f"{result.checkins_held} kept for open cases, {result.persons_deleted} people deleted"
        )
