"""Quarantine: facilities with rooms and beds, one order per quarantine episode, its history, daily
health checks, tests, and the dated policies that set durations and test days."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qrtrace.geo.models import Commune
from qrtrace.people.models import Person
from qrtrace.tracing.models import Case, Exposure, TestType


class FacilityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("facility status", "Open")
    FULL = "full", pgettext_lazy("facility status", "Full")
    CLOSED = "closed", pgettext_lazy("facility status", "Closed")


class FacilityKind(models.TextChoices):
    DORMITORY = "dormitory", _("Dormitory")
    SCHOOL = "school", _("School")
    BARRACKS = "barracks", _("Barracks")
    HOTEL = "hotel", _("Hotel")
    HOSPITAL = "hospital", _("Hospital ward")
    OTHER = "other", pgettext_lazy("facility kind", "Other")


class Facility(models.Model):
    """A centralised quarantine facility (khu cách ly tập trung). Its staff are users with the
    `quarantine` role whose area code is the facility's `code`."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=12, choices=FacilityKind.choices, default=FacilityKind.OTHER
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    address = models.CharField(_("address"), max_length=300)
    managing_unit = models.CharField(_("managing unit"), max_length=200)
    status = models.CharField(max_length=8, choices=FacilityStatus.choices, default=FacilityStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Sex(models.TextChoices):
    ANY = "", _("Any")
    MALE = "m", _("Men")
    FEMALE = "f", _("Women")


class Room(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="rooms")
    label = models.CharField(_("room"), max_length=40)
    cohort = models.CharField(_("cohort"), max_length=60, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True, default=Sex.ANY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["facility", "label"], name="room_label_unique")]

    def __str__(self) -> str:
        return self.label


class Bed(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="beds")
    label = models.CharField(_("bed"), max_length=20)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "label"], name="bed_label_unique")]

    def __str__(self) -> str:
        return f"{self.room.label}/{self.label}"


class Reason(models.TextChoices):
    F1 = "f1", _("F1 of a case")
    F2 = "f2", _("F2 of a case")
    ARRIVAL = "arrival", _("Arrival from a restricted area")
    F0_HOME = "f0_home", _("F0 isolated or treated at home")
    OTHER = "other", pgettext_lazy("quarantine reason", "Other")


class Vaccination(models.TextChoices):
    NONE = "none", _("Not vaccinated")
    PARTIAL = "partial", _("One dose")
    FULL = "full", _("Two doses or more")
    RECOVERED = "recovered", _("Recovered within 6 months")


class Kind(models.TextChoices):
    FACILITY = "facility", _("Centralised facility")
    HOME = "home", _("At home")


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    IN_QUARANTINE = "in_quarantine", _("In quarantine")
    COMPLETED = "completed", _("Completed")
    BECAME_CASE = "became_case", _("Became a case")
    TRANSFERRED = "transferred", _("Transferred")
    ENDED_EARLY = "ended_early", _("Ended early")
    ABSCONDED = "absconded", _("Absconded")


OPEN_STATUSES = (OrderStatus.ORDERED, OrderStatus.IN_QUARANTINE)
# The states an order may move to from each state (the rest are final).
TRANSITIONS = {
    OrderStatus.ORDERED: {
        OrderStatus.IN_QUARANTINE,
        OrderStatus.BECAME_CASE,
        OrderStatus.TRANSFERRED,
        OrderStatus.ENDED_EARLY,
        OrderStatus.ABSCONDED,
    },
    OrderStatus.IN_QUARANTINE: {
        OrderStatus.COMPLETED,
        OrderStatus.BECAME_CASE,
        OrderStatus.TRANSFERRED,
        OrderStatus.ENDED_EARLY,
        OrderStatus.ABSCONDED,
    },
}


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (what-if)")
    ACTIVE = "active", pgettext_lazy("policy status", "In force")


class QuarantinePolicy(models.Model):
    """A dated rule of the Ministry or the province: durations and test days by reason and
    vaccination status (its `rules`). The policy in force on a date is the active one with the latest
    `effective_from` on or before it. A draft is a what-if until an official applies it."""

    version = models.CharField(max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    source = models.CharField(_("source"), max_length=300, blank=True)
    effective_from = models.DateField(_("effective from"))
    checks_per_day = models.PositiveSmallIntegerField(_("health checks per day"), default=2)
    status = models.CharField(max_length=8, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(checks_per_day__gte=1, checks_per_day__lte=2), name="policy_checks_1_or_2"
            )
        ]

    def __str__(self) -> str:
        return self.version


class PolicyRule(models.Model):
    """One cell of a policy: for this reason and vaccination status, how long, which test days
    (day 1 is the first day of quarantine), whether at home, and the self-monitoring days after."""

    policy = models.ForeignKey(QuarantinePolicy, on_delete=models.CASCADE, related_name="rules")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    vaccination = models.CharField(max_length=10, choices=Vaccination.choices)
    days = models.PositiveSmallIntegerField()
    test_days = models.JSONField(default=list, blank=True)
    test_type = models.CharField(max_length=10, choices=TestType.choices, default=TestType.PCR)
    home_allowed = models.BooleanField(default=True)
    monitoring_days = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "reason", "vaccination"], name="policy_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.reason}/{self.vaccination}: {self.days}"


class QuarantineOrder(models.Model):
    """One quarantine episode of one person. A person may have several over time, at most one open."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="quarantine_orders")
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    reason_text = models.CharField(_("details"), max_length=300, blank=True)
    exposure = models.ForeignKey(Exposure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    vaccination = models.CharField(_("vaccination"), max_length=10, choices=Vaccination.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    address = models.CharField(_("address"), max_length=300, blank=True)
    # What the room rules need (a room may be for men or women, and for one cohort): the person's sex
    # as declared with the order (Person does not store it) and the cohort the order belongs to.
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True, default=Sex.ANY)
    cohort = models.CharField(_("cohort"), max_length=60, blank=True)
    # Where the person lives (copied from them when ordered): the commune station of home quarantine,
    # and the figures by commune, read it without touching the person.
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    start_date = models.DateField(_("start"))
    planned_end = models.DateField(_("planned end"))
    monitoring_days = models.PositiveSmallIntegerField(_("self-monitoring days after release"), default=0)
    test_days = models.JSONField(default=list, blank=True)
    checks_per_day = models.PositiveSmallIntegerField(default=2)
    policy = models.ForeignKey(QuarantinePolicy, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=14, choices=OrderStatus.choices, default=OrderStatus.ORDERED)
    end_reason = models.CharField(_("reason"), max_length=300, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    transferred_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    certificate_number = models.CharField(max_length=30, null=True, blank=True, unique=True)
    certificate_unit = models.CharField(max_length=200, blank=True)
    certificate_issued_at = models.DateTimeField(null=True, blank=True)
    certificate_revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status__in=OPEN_STATUSES), name="order_one_open_per_person"
            ),
            # A bed holds one person: a second open order on it is refused by the database itself.
            models.UniqueConstraint(
                fields=["bed"],
                condition=Q(status__in=OPEN_STATUSES, bed__isnull=False),
                name="order_one_open_per_bed",
            ),
            models.CheckConstraint(
                condition=Q(kind="home") | Q(facility__isnull=False), name="order_facility_has_facility"
            ),
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("start_date")), name="order_end_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "facility"]),
            models.Index(fields=["status", "commune"]),
            models.Index(fields=["status", "planned_end"]),
        ]

    def __str__(self) -> str:
        return f"QO-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    CREATE = "create", _("Ordered")
    PLACE = "place", _("Placed in a bed")
    START = "start", _("Started")
    EXTEND = "extend", _("Extended")
    SHORTEN = "shorten", _("Shortened")
    TRANSFER = "transfer", _("Transferred")
    END = "end", _("Ended")
    RELEASE = "release", _("Released")
    POLICY = "policy", _("New policy applied")
    REEXPOSED = "reexposed", _("Re-exposed")
    REVOKE = "revoke", _("Certificate revoked")


class OrderEvent(models.Model):
    """A change of an order, with who and why: the order's history."""

    order = models.ForeignKey(QuarantineOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class Slot(models.TextChoices):
    MORNING = "morning", _("Morning")
    EVENING = "evening", _("Evening")


class HealthCheck(models.Model):
    order = models.ForeignKey(QuarantineOrder, on_delete=models.CASCADE, related_name="checks")
    day = models.DateField()
    slot = models.CharField(max_length=8, choices=Slot.choices)
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    spo2 = models.PositiveSmallIntegerField(_("SpO2 (%)"), null=True, blank=True)
    cough = models.BooleanField(_("cough"), default=False)
    breathless = models.BooleanField(_("short of breath"), default=False)
    sore_throat = models.BooleanField(_("sore throat"), default=False)
    loss_of_smell = models.BooleanField(_("loss of taste or smell"), default=False)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    red_flag = models.BooleanField(default=False)
    self_reported = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["order", "day"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.day} {self.slot}"


class TestResult(models.TextChoices):
    PENDING = "pending", _("Not yet tested")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class QuarantineTest(models.Model):
    """A test an order calls for (scheduled from the policy's test days) and its result."""

    order = models.ForeignKey(QuarantineOrder, on_delete=models.CASCADE, related_name="tests")
    day = models.PositiveSmallIntegerField(_("day"))
    due_on = models.DateField(_("due on"))
    test_type = models.CharField(_("test"), max_length=10, choices=TestType.choices, default=TestType.PCR)
    sample_date = models.DateField(_("sample date"), null=True, blank=True)
    lab = models.CharField(_("lab"), max_length=120, blank=True)
    result = models.CharField(
        _("result"), max_length=8, choices=TestResult.choices, default=TestResult.PENDING
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["order", "day"], name="test_once_per_order_day")]

    def __str__(self) -> str:
        return f"{self.order_id} day {self.day}: {self.result}"
