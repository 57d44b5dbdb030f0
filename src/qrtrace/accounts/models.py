from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from qrtrace.geo.models import Commune, Province
from qrtrace.lib.crypto import EncryptedTextField


class User(AbstractUser):
    """An official or staff member. Citizens never have accounts: they are `people.Person`."""

    # Consecutive failed sign-ins; reaching QRTRACE_LOGIN_MAX_FAILURES locks the account until
    # `locked_until`, which stops password guessing even from many addresses.
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Second factor (RFC 6238). The secret is encrypted like citizens' phone numbers: a database dump
    # must not let anyone mint codes. Enrolment is only complete once a code was confirmed.
    totp_secret = EncryptedTextField(null=True, blank=True)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last time step a code was accepted for: a code seen once (e.g. over a shoulder) is spent.
    totp_last_step = models.BigIntegerField(null=True, blank=True)

    @property
    def has_totp(self) -> bool:
        return self.totp_confirmed_at is not None


class Role(models.TextChoices):
    PROVINCE = "province", _("Provincial health office / CDC")
    COMMUNE = "commune", _("Commune health station")
    VENUE = "venue", _("Venue manager / gate staff")
    QUARANTINE = "quarantine", _("Quarantine facility staff")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    """One role of a user over one area: a province, a commune, a venue or a quarantine facility.

    `area_code` is the area's public code (province or commune number, venue or facility code), so
    this table does not depend on the apps that own venues and facilities. `commune`/`province`
    locate the area and are what jurisdiction filters use.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    area_code = models.CharField(max_length=20)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area_code"], name="membership_unique_area")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area_code}"


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, help_text="First characters, to tell tokens apart.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
