from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qrtrace.geo.models import Commune
from qrtrace.people.models import Person
from qrtrace.venues.models import Venue


class CaseStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("case status", "Active")
    RECOVERED = "recovered", _("Recovered")
    DIED = "died", _("Died")
    DISCARDED = "discarded", _("Discarded (not a case)")


class TestType(models.TextChoices):
    PCR = "pcr", _("RT-PCR")
    RAPID = "rapid", _("Rapid antigen test")
    OTHER = "other", _("Other")


class Case(models.Model):
    """A confirmed infection (F0). Its infectious window follows from the three times below."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    confirmed_at = models.DateTimeField(_("confirmed at"))
    symptom_onset = models.DateTimeField(_("symptom onset"), null=True, blank=True)
    isolated_at = models.DateTimeField(_("isolated at"), null=True, blank=True)
    test_type = models.CharField(_("test"), max_length=10, choices=TestType.choices, default=TestType.PCR)
    treated_at_place = models.CharField(_("isolated or treated at"), max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.ACTIVE)
    notes = models.TextField(_("notes"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    traced_at = models.DateTimeField(null=True, blank=True)
    rule_version = models.CharField(max_length=20, blank=True)
    # When the case left "active" (recovered, died, discarded): its tracing data's retention counts
    # from here (privacy's purge). Cleared if the case is made active again.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="active"), name="case_one_active_per_person"
            ),
            # A closed case without a closing time would never reach the end of its retention.
            models.CheckConstraint(
                condition=models.Q(status="active", closed_at__isnull=True)
                | (~models.Q(status="active") & models.Q(closed_at__isnull=False)),
                name="case_closed_at_iff_closed",
            ),
        ]
        indexes = [models.Index(fields=["status", "confirmed_at"])]

    def __str__(self) -> str:
        return f"F0 #{self.pk}"

    @property
    def tracing_data_until(self) -> datetime | None:
        """When the purge deletes this closed case's tracing data, unless a legal hold keeps it."""
        if self.closed_at is None:
            return None
        return self.closed_at + timedelta(days=settings.QRTRACE_TRACING_RETENTION_DAYS)


class ExposureStatus(models.TextChoices):
    NEW = "new", _("New")
    NOTIFIED = "notified", _("Notified")
    QUARANTINED = "quarantined", _("In quarantine")
    TESTED_NEGATIVE = "tested_negative", _("Tested negative")
    BECAME_CASE = "became_case", _("Became a case")
    CLOSED = "closed", _("Closed")
    DISMISSED = "dismissed", _("Dismissed")


# Exposures still being followed up; registering the person as a case moves these to BECAME_CASE.
OPEN_EXPOSURE_STATUSES = (
    ExposureStatus.NEW,
    ExposureStatus.NOTIFIED,
    ExposureStatus.QUARANTINED,
    ExposureStatus.TESTED_NEGATIVE,
)


class Level(models.TextChoices):
    F1 = "F1", "F1"
    F2 = "F2", "F2"


class Exposure(models.Model):
    """A person exposed through a case: directly (F1) or through an F1 (F2), once per case.

    Evidence holds check-in ids and times as plain JSON, never foreign keys: check-ins are purged after
    the retention period, and the reason someone was listed must outlive them.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exposures")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="exposures")
    level = models.CharField(max_length=2, choices=Level.choices)
    source_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    overlap_start = models.DateTimeField(null=True, blank=True)
    overlap_end = models.DateTimeField(null=True, blank=True)
    overlap_minutes = models.PositiveIntegerField(default=0)
    evidence = models.JSONField(default=list, blank=True)
    rule_version = models.CharField(max_length=20, blank=True)
    manual = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=ExposureStatus.choices, default=ExposureStatus.NEW)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    selected_for_followup_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="exposure_once_per_case")]
        indexes = [models.Index(fields=["case", "level"]), models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.level} {self.person_id} ← case {self.case_id}"


class TimelinePlace(models.Model):
    """A place on the case timeline that has no QR poster, told by the case in the interview."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="places")
    place = models.CharField(_("place"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return self.place


class AlertStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")


class VenueAlert(models.Model):
    """ "This place had a confirmed case between … and …": drafted by tracing, published by an official."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    # The end is the case's usual stay or the window's end, not a check-out: shown as estimated.
    end_estimated = models.BooleanField(default=False)
    message = models.CharField(_("message"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.DRAFT)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "venue"], name="alert_once_per_case_venue")]
        indexes = [models.Index(fields=["venue", "status", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class TraceJob(models.Model):
    """A queued re-trace, run by the `trace_case` task (tracing/tasks.py): one waiting row per case at most.

    "Waiting" means not yet started, so a late check-in arriving while its case is being traced queues
    a new job instead of being folded into a run that may already have read the check-ins.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=40)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(started_at__isnull=True), name="tracejob_one_waiting"
            )
        ]

    def __str__(self) -> str:
        return f"trace case {self.case_id} ({self.reason})"


class CaseSummary(models.Model):
    """What is left of a case once the purge has deleted its tracing data: figures for the dashboards
    and reports, with nothing that points at a person (no person, no case number, no venue visit)."""

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, related_name="+")  # residence
    confirmed_on = models.DateField()
    closed_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=CaseStatus.choices)
    test_type = models.CharField(max_length=10, choices=TestType.choices)
    rule_version = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["confirmed_on"])]

    def __str__(self) -> str:
        return f"{self.outcome} {self.confirmed_on}–{self.closed_on}"


class ContactCount(models.Model):
    """How many of a summarised case's contacts there were of one level, commune and final status."""

    summary = models.ForeignKey(CaseSummary, on_delete=models.CASCADE, related_name="contacts")
    level = models.CharField(max_length=2, choices=Level.choices)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField(max_length=16, choices=ExposureStatus.choices)
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.level} {self.commune_id} {self.status}: {self.count}"
