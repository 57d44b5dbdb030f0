"""Synthetic, reproducible data for one province: venues, people and their check-ins.

Everything is derived from a seed, so a second run finds the same venues and people and adds nothing
(the command is idempotent). Rows are inserted in large batches: a realistic province history has
millions of check-ins, and the generator is also what the benchmarks use.
"""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from qrtrace.checkins.models import CheckIn, Person
from qrtrace.geo.models import Commune
from qrtrace.lib.crypto import lookup_hash
from qrtrace.lib.signing import ALPHABET
from qrtrace.venues.models import DEFAULT_STAY_MINUTES, Venue, VenueKind, VenueStatus

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Lương", "Trịnh"]
MIDDLE_NAMES = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Thu", "Quang", "Thanh", "Hữu", "Bảo"]
GIVEN_NAMES = [
    "An",
    "Bình",
    "Cường",
    "Dung",
    "Giang",
    "Hà",
    "Hải",
    "Hoa",
    "Hùng",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
]
VENUE_NAMES = {
    VenueKind.MARKET: "Chợ {}",
    VenueKind.SHOP: "Cửa hàng tạp hoá {}",
    VenueKind.RESTAURANT: "Quán phở {}",
    VenueKind.SCHOOL: "Trường THCS {}",
    VenueKind.HOSPITAL: "Trạm Y tế {}",
    VenueKind.AGENCY: "UBND {}",
    VenueKind.SHOP.value + "2": "Siêu thị mini {}",
}
VISITS_PER_PERSON_PER_DAY = 2.0


@dataclass(frozen=True)
class DemoSize:
    communes: int = 20
    venues_per_commune: int = 10
    people: int = 2_000
    days: int = 14


def demo_venues(*, province_code: int, size: DemoSize, rng: random.Random) -> list[Venue]:
    communes = list(Commune.objects.filter(province_id=province_code).order_by("code")[: size.communes])
    wanted = []
    for commune in communes:
        for i in range(size.venues_per_commune):
            template_key = rng.choice(list(VENUE_NAMES))
            kind = VenueKind(template_key[:-1] if template_key.endswith("2") else template_key)
            wanted.append(
                Venue(
                    code="D" + "".join(rng.choice(ALPHABET) for _ in range(6)),
                    name=VENUE_NAMES[template_key].format(f"{commune.name} {i + 1}"),
                    kind=kind,
                    address=f"{rng.randint(1, 300)} đường {rng.choice(GIVEN_NAMES)}, {commune.name}",
                    commune=commune,
                    default_stay_minutes=DEFAULT_STAY_MINUTES[kind],
                    status=VenueStatus.ACTIVE,
                    qr_issued_at=timezone.now(),
                )
            )
    existing = set(Venue.objects.filter(code__in=[v.code for v in wanted]).values_list("code", flat=True))
    Venue.objects.bulk_create([v for v in wanted if v.code not in existing], batch_size=1000)
    return list(Venue.objects.filter(code__in=[v.code for v in wanted]).order_by("code"))


def demo_people(*, province_code: int, size: DemoSize, rng: random.Random) -> list[Person]:
    communes = list(
        Commune.objects.filter(province_id=province_code).order_by("code").values_list("code", flat=True)
    )[: size.communes]
    wanted = {}
    for i in range(size.people):
        phone = f"+8490{i:07d}"
        name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
        wanted[lookup_hash("phone", phone)] = Person(
            full_name=name,
            phone=phone,
            phone_hash=lookup_hash("phone", phone),
            birth_year=rng.randint(1945, 2018),
            commune_id=rng.choice(communes),
        )
    existing = set(Person.objects.filter(phone_hash__in=wanted).values_list("phone_hash", flat=True))
    Person.objects.bulk_create([p for h, p in wanted.items() if h not in existing], batch_size=1000)
    return list(Person.objects.filter(phone_hash__in=wanted).order_by("pk"))


def demo_visits(
    *, venues: list[Venue], people: list[Person], days: int, end: datetime, rng: random.Random
) -> Iterator[CheckIn]:
    """Visits over the `days` before `end`: mostly in the person's own commune, in daytime hours."""
    by_commune: dict[int, list[Venue]] = {}
    for venue in venues:
        by_commune.setdefault(venue.commune_id, []).append(venue)
    start_day = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    for day in range(days):
        midnight = start_day + timedelta(days=day)
        for person in people:
            local = by_commune.get(person.commune_id) or venues
            for _ in range(_poisson(rng, VISITS_PER_PERSON_PER_DAY)):
                venue = rng.choice(local) if rng.random() < 0.85 else rng.choice(venues)
                entered = midnight + timedelta(minutes=rng.randint(6 * 60, 21 * 60))
                if entered >= end:
                    continue
                stay = timedelta(minutes=max(5, int(rng.gauss(venue.default_stay_minutes, 20))))
                # About one visitor in four never checks out: the venue's usual stay fills the gap.
                left = None if rng.random() < 0.25 or entered + stay > end else entered + stay
                yield CheckIn(
                    venue_id=venue.pk,
                    person_id=person.pk,
                    entered_at=entered,
                    left_at=left,
                    method="self_scan",
                )


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is plenty for a mean of two.
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def demo_generate(
    *, province_code: int, size: DemoSize, seed: int = 38, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Create the demo province; returns counts of rows created. A second run creates nothing."""
    rng = random.Random(seed)
    with transaction.atomic():
        before_venues, before_people = Venue.objects.count(), Person.objects.count()
        venues = demo_venues(province_code=province_code, size=size, rng=rng)
        people = demo_people(province_code=province_code, size=size, rng=rng)
        created_people = Person.objects.count() - before_people
    checkins = 0
    if created_people:
        # Check-ins only for a fresh population, so re-running never doubles anyone's history.
        checkins = checkin_bulk_insert(
            demo_visits(venues=venues, people=people, days=size.days, end=timezone.now(), rng=rng),
            progress=progress,
        )
    return {
        "venues": Venue.objects.count() - before_venues,
        "people": created_people,
        "checkins": checkins,
    }


def checkin_bulk_insert(
    visits: Iterator[CheckIn], *, batch: int = 20_000, progress: Callable[[int], None] | None = None
) -> int:
    """Insert generated visits in large transactions (one fsync per batch, not per row)."""
    total, chunk = 0, []
    for visit in visits:
        chunk.append(visit)
        if len(chunk) >= batch:
            total += _insert(chunk, progress)
            chunk = []
    if chunk:
        total += _insert(chunk, progress)
    return total


def _insert(chunk: list[CheckIn], progress: Callable[[int], None] | None) -> int:
    with transaction.atomic():
        CheckIn.objects.bulk_create(chunk, batch_size=2_000)
    if progress:
        progress(len(chunk))
    return len(chunk)
