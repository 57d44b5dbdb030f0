from django.core.management.base import BaseCommand
from django.utils import timezone

from qrtrace.checkins.partitions import partition_ensure
from qrtrace.privacy.services import checkin_purge_expired


class Command(BaseCommand):
    help = (
        "Delete closed cases' tracing data QRTRACE_TRACING_RETENTION_DAYS after they closed (unless a "
        "legal hold keeps it), check-ins and declarations older than QRTRACE_RETENTION_DAYS (except those "
        "an open or held case needs) and the people left with no records. The worker does it daily soon "
        "after midnight (the `purge` schedule); by hand, this also creates the days ahead's partitions "
        "(PostgreSQL)."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        created = partition_ensure(now=now)
        result = checkin_purge_expired(now=now)
        self.stdout.write(
            f"closed before {result.tracing_cutoff:%Y-%m-%d %H:%M %Z}: {result.cases_deleted} cases and "
            f"{result.exposures_deleted} exposures deleted, {result.cases_held} cases under a legal hold; "
            f"{result.messages_deleted} messages deleted"
        )
        self.stdout.write(
            f"before {result.cutoff:%Y-%m-%d %H:%M %Z}: {result.checkins_deleted} check-ins deleted "
            f"({result.partitions_dropped} whole days dropped), {result.checkins_held} kept for open or held "
            f"cases, {result.persons_deleted} people deleted; {len(created)} day partitions created"
        )
