from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from qrtrace.accounts.services import official_upsert
from qrtrace.demo.services import DemoSize, demo_generate

DEMO_PASSWORD = "qrtrace-demo"  # noqa: S105 - printed on purpose: demo data never runs in production


class Command(BaseCommand):
    help = "Load synthetic demo data for the province (idempotent: a second run adds nothing)."

    def add_arguments(self, parser):
        default = DemoSize()
        parser.add_argument("--communes", type=int, default=default.communes)
        parser.add_argument("--venues", type=int, default=default.venues_per_commune, help="Per commune.")
        parser.add_argument("--people", type=int, default=default.people)
        parser.add_argument("--days", type=int, default=default.days)
        parser.add_argument("--seed", type=int, default=38)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **o):
        if settings.PRODUCTION:
            raise CommandError("Refusing to load demo data in production mode.")
        if min(o["communes"], o["venues"], o["people"], o["days"]) < 1:
            raise CommandError("--communes, --venues, --people and --days must be at least 1.")
        size = DemoSize(
            communes=o["communes"], venues_per_commune=o["venues"], people=o["people"], days=o["days"]
        )
        expected = int(size.people * size.days * 2)
        with tqdm(total=expected, unit=" check-ins", disable=o["no_progress"], file=self.stderr) as bar:
            counts = demo_generate(
                province_code=settings.QRTRACE_PROVINCE, size=size, seed=o["seed"], progress=bar.update
            )
        self.stdout.write(
            "demo: {venues} venues, {people} people, {checkins} check-ins created".format(**counts)
        )
        self._officials()
        self._quarantine(o["seed"])

    def _quarantine(self, seed: int) -> None:
        import random

        from qrtrace.accounts.models import User
        from qrtrace.demo.quarantine import FACILITIES, demo_quarantine

        counts = demo_quarantine(
            province_code=settings.QRTRACE_PROVINCE,
            official=User.objects.get(username="cdc"),
            rng=random.Random(seed),
        )
        self.stdout.write(
            "demo: {facilities} quarantine facilities, {orders} quarantine orders created".format(**counts)
        )
        user = official_upsert(username="kcl", role="quarantine", area_code=FACILITIES[0][0])
        if not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        self.stdout.write(f"demo sign-in: kcl / {DEMO_PASSWORD} (quarantine {FACILITIES[0][0]})")

    def _officials(self) -> None:
        """Accounts to look around with: the provincial CDC, the first commune's health station and the
        staff of that commune's first venue (README, "Demo sign-ins")."""
        from qrtrace.geo.selectors import commune_list
        from qrtrace.venues.models import Venue

        commune = commune_list(province_code=settings.QRTRACE_PROVINCE).order_by("code").first()
        accounts = [("cdc", "province", settings.QRTRACE_PROVINCE), ("tram", "commune", commune.code)]
        venue = Venue.objects.filter(commune=commune, code__startswith="D").order_by("name").first()
        if venue is not None:
            accounts.append(("cuahang", "venue", venue.code))
        for username, role, area in accounts:
            user = official_upsert(username=username, role=role, area_code=str(area))
            if not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            self.stdout.write(f"demo sign-in: {username} / {DEMO_PASSWORD} ({role} {area})")
