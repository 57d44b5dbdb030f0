from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qrtrace.lib.crypto import EncryptedTextField
from qrtrace.people.models import Person


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RETRYING = "retrying", _("Failed, will retry")
    SENT = "sent", _("Sent")
    FAILED = "failed", pgettext_lazy("message status", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("message status", "Cancelled")


class Message(models.Model):
    """One outbound message to one person about one thing (`reference`, e.g. "case:12").

    Unique per (person, reference): tracing a case twice, or two workers racing, can never send a
    person a second message about the same case. Due messages go out lowest `priority` first (the
    people most at risk before the others), then oldest first.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=40)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.SMS)
    address = EncryptedTextField(blank=True)  # a phone number or e-mail address: personal data
    body = models.TextField()
    priority = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the worker may (re)try: set ahead while a worker holds the message, so no other takes it.
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.CharField(max_length=500, blank=True)
    provider_ref = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "reference"], name="message_once_per_reference")
        ]
        indexes = [
            models.Index(fields=["status", "priority", "next_attempt_at"], name="message_due"),
            models.Index(fields=["reference"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} → {self.person_id} ({self.status})"
