"""The dashboard's own data: daily figures per commune (aggregates, never a person), the inputs and
rules of the commune risk level, restricted areas and commune boundaries, and kept daily reports."""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qrtrace.geo.models import Commune


class DailyFigure(models.Model):
    """One commune's figures for one local day, rebuilt by the `refresh_aggregates` task.

    Durations (timeliness) are kept as histograms of whole hours, {hours: count}, so the median over
    any range of days and communes is the median of their sum. `extra` and `extra_hours` carry the
    figures other apps provide through `dashboard.hooks.register_figure_provider` (quarantine).
    """

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    new_cases = models.PositiveIntegerField(default=0)
    active_cases = models.PositiveIntegerField(default=0)
    f1_traced = models.PositiveIntegerField(default=0)
    f2_traced = models.PositiveIntegerField(default=0)
    checkins = models.PositiveIntegerField(default=0)
    active_venues = models.PositiveIntegerField(default=0)
    alerts_published = models.PositiveIntegerField(default=0)
    # Case confirmed → its F1 list ready (traced), by the day the case was confirmed.
    list_ready_hours = models.JSONField(default=dict)
    # Case confirmed → each F1's message sent, by the day the case was confirmed.
    notified_hours = models.JSONField(default=dict)
    extra = models.JSONField(default=dict)
    extra_hours = models.JSONField(default=dict)
    as_of = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "day"], name="dailyfigure_once")]
        indexes = [models.Index(fields=["day", "commune"])]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.day}"


class AggregateRun(models.Model):
    """One refresh of the daily figures: which days it rebuilt, when, and how long it took."""

    first_day = models.DateField()
    last_day = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        indexes = [models.Index(fields=["finished_at"])]

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day} at {self.finished_at:%Y-%m-%d %H:%M}"


class CommuneProfile(models.Model):
    """Population and vaccination coverage of a commune as of a date, imported by an official (CSV).
    Percentages are of the group named; a blank one is not known (a rule needing it is not met)."""

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField(_("as of"))
    population = models.PositiveIntegerField(_("population"))
    adults_one_dose_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    over50_full_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    full_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    high_risk_full_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    treatment_ready = models.BooleanField(_("treatment capacity ready"), null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "as_of"], name="communeprofile_once")]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.as_of}: {self.population}"


class RiskRule(models.Model):
    """A dated method of assessing the risk level (Decision 4800/QĐ-BYT, 218/QĐ-BYT, a province's own):
    the one in force on a date is the latest effective on or before it. `definition` is validated by
    `dashboard.risk.RuleDefinition`."""

    version = models.CharField(pgettext_lazy("rule", "version"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    effective_from = models.DateField(_("effective from"), unique=True)
    definition = models.JSONField()
    source = models.TextField(_("source"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return self.version


class Period(models.TextChoices):
    WEEK = "week", _("Week")
    DAY = "day", _("Rolling 7 days")


class RiskAssessment(models.Model):
    """A commune's computed level for a week (`on` is its Monday) or a rolling day (`on` is its last
    day), with the inputs and band that gave it."""

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=4, choices=Period.choices)
    on = models.DateField()
    rule = models.ForeignKey(RiskRule, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    band = models.PositiveSmallIntegerField()
    inputs = models.JSONField()
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "period", "on"], name="riskassessment_once"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4), name="riskassessment_level"
            ),
        ]
        indexes = [models.Index(fields=["period", "on"])]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.period} {self.on}: {self.level}"


class RiskOverride(models.Model):
    """An official's decision to hold a commune at a level, with a reason, until it expires."""

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"))
    reason = models.CharField(_("reason"), max_length=500)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField(_("expires at"))
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=4), name="riskoverride_level"),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("starts_at")), name="riskoverride_ends"
            ),
        ]
        indexes = [models.Index(fields=["commune", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.commune_id} → {self.level} until {self.expires_at:%Y-%m-%d}"


class AreaKind(models.TextChoices):
    LOCKDOWN = "lockdown", _("Lockdown area (vùng phong tỏa)")
    ISOLATION = "isolation", _("Isolation area (vùng cách ly)")


class RestrictedArea(models.Model):
    """An area under restriction: a polygon (GeoJSON geometry) or a list of communes, for a time."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=AreaKind.choices, default=AreaKind.LOCKDOWN)
    geometry = models.JSONField(null=True, blank=True)
    communes = models.ManyToManyField(Commune, blank=True, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Lifted early (restricted_area_end): in force until the day before `ended_on`, so `ends_on`
    # becomes that day (every reader keeps asking starts_on/ends_on) and the plan is kept beside it.
    ended_on = models.DateField(_("lifted from"), null=True, blank=True)
    planned_ends_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(_("why it was lifted"), max_length=500, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["starts_on", "ends_on"])]

    def __str__(self) -> str:
        return self.name


class CommuneBoundary(models.Model):
    """A commune's shape, imported from a GeoJSON file (`qrtrace geo import-boundaries`)."""

    commune = models.OneToOneField(Commune, on_delete=models.CASCADE, primary_key=True, related_name="+")
    geometry = models.JSONField()
    imported_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"boundary {self.commune_id}"


class DailyReport(models.Model):
    """A kept daily situation report of the whole province (PDF and XLSX files in DATA_DIR)."""

    day = models.DateField(unique=True)
    built_at = models.DateTimeField()
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"report {self.day}"

    def path(self, kind: str) -> Path:
        return Path(settings.DATA_DIR) / "reports" / f"bao-cao-{self.day.isoformat()}.{kind}"
