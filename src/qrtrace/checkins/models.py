from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qrtrace.geo.models import Commune
from qrtrace.people.models import Person
from qrtrace.venues.models import Venue


class CheckInMethod(models.TextChoices):
    SELF_SCAN = "self_scan", _("Scanned the venue's code")
    STAFF_SCAN = "staff_scan", _("Staff scanned the personal code")
    STAFF_ENTRY = "staff_entry", _("Entered by staff")
    API = "api", _("Integration / gate device")
    SMS = "sms", _("Text message (SMS)")


class CheckOutMethod(models.TextChoices):
    BUTTON = "button", _("Check-out button")
    RESCAN = "rescan", _("Scanned the code again")
    STAFF = "staff", _("By staff")
    AUTO = "auto", _("Automatic after the usual stay")
    API = "api", _("Integration / gate device")
    SMS = "sms", _("Text message (SMS)")


class Risk(models.TextChoices):
    GREEN = "green", _("No symptoms or exposure declared")
    YELLOW = "yellow", _("Exposure or travel declared")
    RED = "red", _("Symptoms declared")


class CheckIn(models.Model):
    """One person at one venue. No other table holds a foreign key to this one: check-ins are purged
    after the retention period and, on PostgreSQL, partitioned by day, so references to them are kept
    as plain ids and times (e.g. as tracing evidence)."""

    # No single-column indexes on these two: (venue, …) and (person, entered_at) below lead with them, and
    # every index is written on each of the 5-10 M check-ins a day.
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="+", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="checkins", db_index=False)
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=12, choices=CheckInMethod.choices)
    checkout_method = models.CharField(max_length=8, choices=CheckOutMethod.choices, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The health declaration given with this check-in.
    fever = models.BooleanField(_("fever"), default=False)
    cough = models.BooleanField(_("cough"), default=False)
    breathless = models.BooleanField(_("shortness of breath"), default=False)
    sore_throat = models.BooleanField(_("sore throat"), default=False)
    lost_taste_smell = models.BooleanField(_("loss of taste or smell"), default=False)
    contact_with_case = models.BooleanField(
        _("contact with a confirmed case in the last 14 days"), default=False
    )
    travel_from_restricted = models.BooleanField(_("travel from an area under restriction"), default=False)
    risk = models.CharField(max_length=6, choices=Risk.choices, default=Risk.GREEN)
    # What the person declared about themselves with this check-in, when it is not what is stored: a
    # declaration never changes the stored person (issue 12), so it is kept here, for officials to
    # review (a residence that disagrees) and correct through a trusted path. The name as typed only
    # when it differs from the stored one (else empty); the commune whenever one was declared. No
    # foreign-key constraint: a check on every insert of the hottest table, for a value the form and
    # the API already checked against the communes.
    # db_default as well: code of the release before, still running during an upgrade, inserts without it.
    declared_name = models.CharField(
        _("name as declared"), max_length=120, blank=True, default="", db_default=""
    )
    declared_commune = models.ForeignKey(
        Commune,
        verbose_name=_("residence as declared"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set when a check-in looks wrong (far outside opening hours, an impossible sequence, a check-out
    # clamped to the maximum stay): kept, but shown to officials for review.
    review_reason = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The id a gate device gave this visit when it recorded it (offline, perhaps): a device resending
    # its queue, or a batch sent twice, finds its visit by it and records nothing twice.
    client_id = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [
            # With entered_at because on PostgreSQL the table is partitioned by it: a unique index there
            # must hold the partition key. A resend carries the time first recorded, so it collides.
            models.UniqueConstraint(
                fields=["client_id", "entered_at"],
                condition=models.Q(client_id__isnull=False),
                name="checkin_client_once",
            )
        ]
        indexes = [
            # Visitor logs and the automatic check-out look for open visits of one venue.
            models.Index(fields=["venue", "left_at"], name="checkin_venue_open"),
            # Tracing is always "this venue, this time window": a short range scan on this index.
            models.Index(fields=["venue", "entered_at", "person", "left_at"], name="checkin_venue_cover"),
            models.Index(fields=["person", "entered_at"], name="checkin_person_entered"),
            models.Index(fields=["entered_at"], name="checkin_entered"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.venue_id} {self.entered_at:%Y-%m-%d %H:%M}"


class DeviceTrust(models.TextChoices):
    """Why a phone is remembered as someone: only these two give it their cards, family and history."""

    CREATED = "created", _("Declared the person first")
    SMS = "sms", _("Proved the phone number by SMS code")
    NONE = "", _("Remembered before phones had to be proven")  # rows older than issue 12: no access


class Device(models.Model):
    """A phone remembered as someone: lets the next scan offer "Check in as …?" in one tap, and shows
    their personal QR cards and family.

    A phone is remembered as a person only when its declaration created them, or after it proved
    their phone number by an SMS code (`trust`): a phone number and a name are anyone's to type.
    The browser keeps the token in a signed cookie; only its keyed hash is stored, so a database
    dump cannot be replayed as someone's device.
    """

    token_hash = models.CharField(max_length=40, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="devices")
    trust = models.CharField(max_length=8, choices=DeviceTrust.choices, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"device {self.token_hash[:8]} → {self.person_id}"
