from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qrtrace.geo.models import Commune


class VenueKind(models.TextChoices):
    """Kinds of place, each with the usual length of a visit (fills a missing check-out)."""

    AGENCY = "agency", _("Agency / office")
    HOSPITAL = "hospital", _("Hospital / clinic")
    SCHOOL = "school", _("School")
    MARKET = "market", _("Market")
    SHOP = "shop", _("Supermarket / shop")
    RESTAURANT = "restaurant", _("Restaurant / café")
    TRANSPORT = "transport", _("Transport hub")
    FACTORY = "factory", _("Factory")
    RELIGIOUS = "religious", _("Religious site")
    EVENT = "event", _("Event")
    RESIDENTIAL = "residential", _("Residential area")
    OTHER = "other", _("Other")


DEFAULT_STAY_MINUTES = {
    VenueKind.AGENCY: 240,
    VenueKind.HOSPITAL: 120,
    VenueKind.SCHOOL: 480,
    VenueKind.MARKET: 60,
    VenueKind.SHOP: 30,
    VenueKind.RESTAURANT: 90,
    VenueKind.TRANSPORT: 60,
    VenueKind.FACTORY: 480,
    VenueKind.RELIGIOUS: 90,
    VenueKind.EVENT: 180,
    VenueKind.RESIDENTIAL: 60,
    VenueKind.OTHER: 60,
}


class VenueStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


class Venue(models.Model):
    # Short public code printed under the QR (Crockford base32); the poster link adds a signature.
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=VenueKind.choices)
    address = models.CharField(_("address"), max_length=300)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="venues")
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=16, blank=True)
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="managed_venues")
    default_stay_minutes = models.PositiveIntegerField(_("usual length of a visit (minutes)"))
    status = models.CharField(max_length=12, choices=VenueStatus.choices, default=VenueStatus.PENDING)
    # QR rotation: the signature covers `code:qr_version`. After a rotation the previous version stays
    # valid until `qr_grace_until`; a revocation bumps the version with no grace at all.
    qr_version = models.PositiveIntegerField(default=1)
    qr_grace_until = models.DateTimeField(null=True, blank=True)
    qr_issued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why an official rejected or suspended the venue, shown to its manager.
    status_note = models.CharField(_("reason"), max_length=300, blank=True)
    # When it was last suspended: a gate device syncing late may still send visits from before then.
    suspended_at = models.DateTimeField(null=True, blank=True)
    # Opening hours in local time, so that check-ins far outside them are flagged for review. Empty
    # means "not known" (nothing is flagged); a closing time before the opening time runs past midnight.
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    # Hospitals, transport hubs and the like: visits at any hour are normal.
    always_open = models.BooleanField(_("open day and night"), default=False)

    class Meta:
        indexes = [models.Index(fields=["commune", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        super().clean()
        if any(
            moment is not None and moment.tzinfo is not None for moment in (self.opens_at, self.closes_at)
        ):
            raise ValidationError({"opens_at": _("Give opening hours in local time, without a time zone.")})
        if self.always_open and (self.opens_at or self.closes_at):
            raise ValidationError(
                {"always_open": _("A venue open day and night has no opening and closing times.")}
            )
        if (self.opens_at is None) != (self.closes_at is None):
            field = "closes_at" if self.closes_at is None else "opens_at"
            raise ValidationError({field: _("Give both the opening and the closing time, or neither.")})
        if self.opens_at is not None and self.opens_at == self.closes_at:
            raise ValidationError(
                {
                    "closes_at": _(
                        "Opening and closing times must differ (for no closing, tick “open day and night”)."
                    )
                }
            )

    @property
    def default_stay(self) -> timedelta:
        return timedelta(minutes=self.default_stay_minutes)

    def far_outside_hours(self, at: datetime, *, margin: timedelta) -> bool:
        """True if `at` falls more than `margin` before opening or after closing (local time)."""
        if self.always_open or self.opens_at is None or self.closes_at is None:
            return False
        day = 24 * 60
        margin_minutes = int(margin.total_seconds() // 60)
        opening = _minute_of_day(self.opens_at) - margin_minutes
        # Hours, plus the margin on both sides, measured forwards from the (early) opening.
        allowed = (_minute_of_day(self.closes_at) - _minute_of_day(self.opens_at)) % day + 2 * margin_minutes
        if allowed >= day:
            return False
        # Hours are the province's clock (TIME_ZONE), not whatever zone a request activated; naming
        # it also skips the active-zone lookup (a thread-local read, most of this call's cost).
        local = timezone.localtime(at, timezone.get_default_timezone())
        return (_minute_of_day(local.time()) - opening) % day > allowed


def _minute_of_day(moment: time) -> int:
    return moment.hour * 60 + moment.minute


class PosterBatch(models.Model):
    """One PDF with the posters of every active venue of a commune, built in the background."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    venue_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.commune} · {self.created_at:%Y-%m-%d %H:%M} · {self.status}"

    @property
    def path(self) -> Path:
        return Path(settings.DATA_DIR) / "posters" / f"batch-{self.pk}.pdf"
