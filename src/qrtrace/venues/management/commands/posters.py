import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qrtrace.geo.models import Commune
from qrtrace.venues.posters import poster_pdf
from qrtrace.venues.selectors import active_venues_of_commune


class Command(BaseCommand):
    help = "Write one PDF with the posters of every active venue of a commune."

    def add_arguments(self, parser):
        parser.add_argument("--commune", type=int, required=True, help="commune code")
        parser.add_argument("--out", type=Path, required=True, help="PDF file to write")

    def handle(self, *args, commune: int, out: Path, **options):
        if not Commune.objects.filter(code=commune).exists():
            raise CommandError(f"There is no commune with code {commune}.")
        venues = list(active_venues_of_commune(commune))
        if not venues:
            raise CommandError(f"Commune {commune} has no active venue.")
        started = time.perf_counter()
        try:
            out.write_bytes(poster_pdf(venues))
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}.") from None
        self.stdout.write(f"{len(venues)} posters → {out} in {time.perf_counter() - started:.1f} s")
