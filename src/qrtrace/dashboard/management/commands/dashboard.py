from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qrtrace.dashboard import aggregates, reports, services
from qrtrace.dashboard.models import Period


class Command(BaseCommand):
    help = "Dashboard: rebuild the daily figures, import population and coverage, build a daily report."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser(
            "refresh", help="Rebuild the figures of the last DAYS days and the risk levels."
        )
        refresh.add_argument("--days", type=int, default=3)
        population = sub.add_parser("import-population", help="CSV: " + ", ".join(services.PROFILE_COLUMNS))
        population.add_argument("file", type=Path)
        report = sub.add_parser("report", help="Build and keep the province's daily report of a day.")
        report.add_argument("--date", type=date.fromisoformat, default=None)

    def handle(self, *args, action: str, **options):
        if action == "refresh":
            if not 1 <= options["days"] <= 800:
                raise CommandError("--days is 1 to 800.")
            run = aggregates.refresh(days=options["days"])
            today = timezone.localdate()
            services.risk_levels_compute(on=today, period=Period.DAY)
            services.risk_levels_compute(on=today, period=Period.WEEK)
            self.stdout.write(
                f"{run.first_day}–{run.last_day}: {run.rows} commune-days in {run.seconds:.2f} s"
            )
        elif action == "import-population":
            try:
                result = services.profiles_import(data=options["file"].read_bytes(), actor=None)
            except OSError as error:
                raise CommandError(f"{options['file']}: {error.strerror}") from None
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            if result.errors:
                raise CommandError("\n".join(result.errors))
            self.stdout.write(f"{result.saved} rows imported.")
        else:
            day = options["date"] or timezone.localdate()
            kept = reports.report_keep(day=day)
            self.stdout.write(f"{kept.path('pdf')} and .xlsx in {kept.seconds:.2f} s")
