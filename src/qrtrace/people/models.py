from django.db import models
from django.utils.translation import gettext_lazy as _

from qrtrace.geo.models import Commune
from qrtrace.lib.crypto import EncryptedTextField


class Person(models.Model):
    """Someone who checked in. Phone and citizen ID are encrypted; lookups go through keyed hashes,
    so a database dump alone reveals neither."""

    full_name = models.CharField(_("full name"), max_length=120)
    phone = EncryptedTextField(_("phone"), null=True, blank=True)  # normalised +84…
    phone_hash = models.CharField(max_length=40, null=True, blank=True, db_index=True)
    citizen_id = EncryptedTextField(_("citizen ID"), null=True, blank=True)  # CCCD, 12 digits
    citizen_id_hash = models.CharField(max_length=40, null=True, blank=True, unique=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # A child or elderly relative without a phone is reached through the person who declared them.
    guardian = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="wards"
    )
    # The public half of their personal QR code (random, so it says nothing about them). Reissuing
    # replaces it, which invalidates every printed card at once; revoking clears it.
    personal_code = models.CharField(max_length=12, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Made when Person lived in checkins; the table kept its name (people/migrations/0001 says why).
        db_table = "checkins_person"
        constraints = [
            # One person per phone among people who have their own phone (wards share a guardian's).
            models.UniqueConstraint(
                fields=["phone_hash"], condition=models.Q(guardian__isnull=True), name="person_unique_phone"
            )
        ]

    def __str__(self) -> str:
        return self.full_name
