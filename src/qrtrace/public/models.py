"""The public side: announcements ("Thông báo"), their SMS opt-outs, and citizens' feedback ("Gửi phản ánh").

Nothing here names a person except a feedback's optional phone (encrypted, shown only to the commune
station it reaches) and an opt-out's keyed phone hash (which reveals no number).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qrtrace.geo.models import Commune
from qrtrace.lib.crypto import EncryptedTextField


class Priority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    IMPORTANT = 1, _("Important")
    URGENT = 2, _("Urgent")


class Announcement(models.Model):
    """A short notice for the whole province (no communes) or for some of its communes.

    Shown from `publish_at` until `expires_at` (none: until withdrawn) on the public page, in the Atom
    feeds of its area and on the check-in confirmation of venues there.
    """

    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=3000)  # plain text; links are made when shown
    communes = models.ManyToManyField(Commune, blank=True, related_name="+", verbose_name=_("communes"))
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    publish_at = models.DateTimeField(_("publish at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The SMS round of an urgent announcement, at most one: who asked, when, reaching visits of how many days.
    sms_requested_at = models.DateTimeField(null=True, blank=True)
    sms_days = models.PositiveSmallIntegerField(null=True, blank=True)
    sms_queued = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["publish_at", "expires_at"])]
        ordering = ["-priority", "-publish_at"]

    def __str__(self) -> str:
        return self.title


class SmsOptOut(models.Model):
    """A phone that asked for no more announcement SMS (a keyed hash: the number itself is not kept)."""

    phone_hash = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"opt-out {self.created_at:%Y-%m-%d}"


class FeedbackKind(models.TextChoices):
    NO_POSTER = "no_poster", _("A venue has no QR poster")
    NOT_SCANNING = "not_scanning", _("A poster does not scan")
    WRONG_DATA = "wrong_data", _("Wrong data about me")
    OTHER = "other", _("Something else")


class Feedback(models.Model):
    """A citizen's report ("Gửi phản ánh"), for the health station of the commune it names."""

    kind = models.CharField(_("what is wrong"), max_length=20, choices=FeedbackKind.choices)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    place = models.CharField(_("place (name, address or code on the poster)"), max_length=200)
    text = models.TextField(_("details"), max_length=2000)
    phone = EncryptedTextField(_("phone (optional, to be called back)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_note = models.CharField(_("what was done"), max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["commune", "handled_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.commune_id} {self.created_at:%Y-%m-%d}"
