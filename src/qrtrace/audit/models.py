from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Who read or changed which personal data, and why. Never updated, never deleted."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A snapshot of the actor's name, so the record still reads right if the account is renamed.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=30)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["actor", "at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")


class AuditSubject(models.Model):
    """A person whose data an event touched: lets a citizen see who read their record."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subjects")
    person_id = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.event_id} → person {self.person_id}"
