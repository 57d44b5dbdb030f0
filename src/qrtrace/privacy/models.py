from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qrtrace.tracing.models import Case


class LegalHoldQuerySet(models.QuerySet):
    def live(self, now: datetime) -> "LegalHoldQuerySet":
        """Holds in force at `now`: not lifted, and `until` is today or later (in the deployment's
        time zone). An expired hold no longer holds anything."""
        return self.filter(lifted_at__isnull=True, until__gte=timezone.localdate(now))


class LegalHold(models.Model):
    """An order to keep one case's tracing data past its retention — an inspection, a complaint, a
    court case — placed by the province office with a reason and an end date.

    While it is in force the case is not purged, nor its contacts, nor the check-ins it may read.
    Placing and lifting it are audit events; the row itself goes with the case once nothing holds it.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=300)
    until = models.DateField(_("kept until"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lift_reason = models.CharField(max_length=300, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["case", "until"])]

    def __str__(self) -> str:
        return f"hold {self.pk} on case {self.case_id} until {self.until}"

    def is_live(self, now: datetime) -> bool:
        return self.lifted_at is None and self.until >= timezone.localdate(now)
