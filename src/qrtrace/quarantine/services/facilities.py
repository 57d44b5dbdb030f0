from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import can_add_facility, can_manage_facility, require
from qrtrace.audit.services import audit_event_create
from qrtrace.lib.errors import Conflict

from ..models import Bed, Facility, FacilityKind, FacilityStatus, Room, Sex


@transaction.atomic
def facility_create(
    *,
    actor: User,
    code: str,
    name: str,
    commune_code: int,
    address: str,
    managing_unit: str,
    kind: str = FacilityKind.OTHER,
) -> Facility:
    require(can_add_facility, actor, commune_code)
    code = code.strip().upper()
    errors = {}
    if not code or not code.replace("-", "").isalnum() or len(code) > 20:
        errors["code"] = [_("Use up to 20 letters, digits and dashes.")]
    if kind not in FacilityKind.values:
        errors["kind"] = [_("Unknown facility kind.")]
    for field, value in (("name", name), ("address", address), ("managing_unit", managing_unit)):
        if not value.strip():
            errors[field] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            facility = Facility.objects.create(
                code=code,
                name=name.strip()[:200],
                kind=kind,
                commune_id=commune_code,
                address=address.strip()[:300],
                managing_unit=managing_unit.strip()[:200],
            )
    except IntegrityError:
        raise Conflict(_("A facility with this code exists already.")) from None
    audit_event_create(actor=actor, action="create", object_type="facility", object_id=facility.code)
    return facility


@transaction.atomic
def beds_add(
    *, actor: User, facility: Facility, room_label: str, beds: int, cohort: str = "", sex: str = ""
) -> Room:
    """Add a room (or more beds to one) with `beds` beds numbered after the ones it has."""
    require(can_manage_facility, actor, facility)
    if not room_label.strip():
        raise ValidationError({"room_label": [_("This field is required.")]})
    if not 1 <= beds <= 200:
        raise ValidationError({"beds": [_("Add between 1 and 200 beds at a time.")]})
    if sex not in Sex.values:
        raise ValidationError({"sex": [_("Unknown value.")]})
    room, _created = Room.objects.get_or_create(
        facility=facility, label=room_label.strip()[:40], defaults={"cohort": cohort.strip()[:60], "sex": sex}
    )
    taken = room.beds.count()
    Bed.objects.bulk_create([Bed(room=room, label=str(taken + i + 1)) for i in range(beds)])
    audit_event_create(
        actor=actor, action="update", object_type="facility", object_id=facility.code, details={"beds": beds}
    )
    return room


@transaction.atomic
def facility_status_set(*, actor: User, facility: Facility, status: str, request=None) -> Facility:
    """Open, mark full or close a facility (its staff or the province). A closed facility takes no
    one new (its people stay until moved or released); placements mark it full and open it again by
    themselves as beds fill and free."""
    require(can_manage_facility, actor, facility)
    if status not in FacilityStatus.values:
        raise ValidationError({"status": [_("Unknown value.")]})
    locked = Facility.objects.select_for_update().get(pk=facility.pk)
    if locked.status == status:
        raise ValidationError({"status": [_("The facility has this status already.")]})
    before, locked.status = locked.status, status
    locked.save(update_fields=["status"])
    audit_event_create(
        actor=actor,
        action="update",
        object_type="facility",
        object_id=locked.code,
        request=request,
        details={"status": [before, status]},
    )
    return locked
