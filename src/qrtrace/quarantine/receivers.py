"""How quarantine plugs into the apps below it (imported by QuarantineConfig.ready)."""

from collections.abc import Iterable
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.models import Role
from qrtrace.accounts.permissions import can_order_quarantine
from qrtrace.accounts.scopes import Area, register_area_resolver
from qrtrace.tracing.hooks import register_case_link_provider, register_quarantine_start_provider

from .models import OPEN_STATUSES, Facility, QuarantineOrder


def facility_area(code: str) -> Area:
    """`qrtrace official add x --role quarantine --area <FACILITY CODE>`: staff of that facility."""
    facility = Facility.objects.filter(code=code.upper()).select_related("commune").first()
    if facility is None:
        raise ValidationError(_("There is no quarantine facility with code %(code)s.") % {"code": code})
    return Area(
        code=facility.code, province_code=facility.commune.province_id, commune_code=facility.commune_id
    )


def quarantine_starts(person_ids: Iterable[int]) -> dict[int, datetime]:
    """When each person's open quarantine began (local midnight of its start): tracing stops passing
    exposure on through an F1 from then (F2 rule). An order not yet started counts (the person was told
    to stay home); a closed one does not (its end would be needed too, and visits after it do pass
    exposure on)."""
    starts: dict[int, datetime] = {}
    ids = list(person_ids)
    if not ids:
        return starts
    zone = timezone.get_current_timezone()
    rows = QuarantineOrder.objects.filter(person_id__in=ids, status__in=OPEN_STATUSES).values_list(
        "person_id", "start_date"
    )
    for person_id, start in rows:
        moment = datetime.combine(start, time.min, tzinfo=zone)
        starts[person_id] = min(moment, starts.get(person_id, moment))
    return starts


register_area_resolver(Role.QUARANTINE, facility_area)
register_quarantine_start_provider(quarantine_starts)


def bulk_order_link(user, case) -> list[tuple[str, str]]:
    """On a case's page: order quarantine for its F1 (for officials who may order it)."""
    if not can_order_quarantine(user):
        return []
    return [(_("Quarantine the F1"), reverse("quarantine:bulk_order", kwargs={"case_id": case.pk}))]


register_case_link_provider(bulk_order_link)
