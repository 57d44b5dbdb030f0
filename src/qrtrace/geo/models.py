from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """A province or centrally-run city (tỉnh / thành phố trung ương), as in `vietnam-provinces`."""

    code = models.PositiveSmallIntegerField(primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    codename = models.CharField(max_length=100)
    division_type = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune-level unit (xã / phường / đặc khu): since 2025 the level below the province."""

    code = models.PositiveIntegerField(primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")
    name = models.CharField(_("name"), max_length=100)
    codename = models.CharField(max_length=100)
    division_type = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
