from django.core.management.base import BaseCommand

from qrtrace.checkins.partitions import is_partitioned, partition_ensure, partition_list


class Command(BaseCommand):
    help = (
        "PostgreSQL: create the check-in table's day partitions for the days ahead (and move any rows "
        "waiting in the default partition into their day), then list the partitions. `qrtrace purge` "
        "does the same each day; run this after a long pause of the daily job, or with --list to look."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days-ahead", type=int, default=7, choices=range(1, 367), metavar="1..366")
        parser.add_argument(
            "--list", dest="only_list", action="store_true", help="Only list; change nothing."
        )

    def handle(self, *args, days_ahead: int, only_list: bool, **options):
        if not is_partitioned():
            self.stdout.write("Check-ins are one plain table here (SQLite): nothing to partition.")
            return
        if not only_list:
            created = partition_ensure(days_ahead=days_ahead)
            self.stdout.write(f"{len(created)} day partitions created: {', '.join(map(str, created)) or '-'}")
        for partition in partition_list():
            label = partition.day.isoformat() if partition.day else "default"
            self.stdout.write(f"{partition.name}\t{label}\t{partition.bytes // 1024} KiB")
