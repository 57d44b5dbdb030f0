"""Putting a person in a free bed of a facility. Two placements at once never share a bed: the
facility row is locked while a bed is chosen (PostgreSQL; SQLite runs one writer at a time), and
the database refuses a second open order on a bed (`order_one_open_per_bed`) whatever happens.

Room rules: a room may be for men or women only and for one cohort. A bed is chosen among the rooms
whose rules the order meets (a room without a rule takes anyone); a bed that breaks them is refused
(409) unless the official gives an override reason, which the history and the audit keep."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import can_manage_facility, require_or_404
from qrtrace.audit.services import audit_event_create
from qrtrace.lib.errors import Conflict

from ..messages import NO_ORDER
from ..models import (
    OPEN_STATUSES,
    Bed,
    EventKind,
    Facility,
    FacilityStatus,
    OrderEvent,
    QuarantineOrder,
    Room,
    Sex,
)


def free_beds(facility: Facility):
    taken = QuarantineOrder.objects.filter(status__in=OPEN_STATUSES, bed__isnull=False).values("bed_id")
    return Bed.objects.filter(room__facility=facility).exclude(pk__in=taken).order_by("room__label", "pk")


def facility_full_message(facility: Facility) -> str:
    return _("%(facility)s has no free bed: choose another facility.") % {"facility": facility.name}


def fitting(beds, *, sex: str, cohort: str):
    """The beds whose room takes a person of this sex in this cohort (a room without a rule takes
    anyone; a person whose sex or cohort is not recorded fits only rooms without that rule)."""
    sexes = Q(room__sex="") | Q(room__sex=sex) if sex else Q(room__sex="")
    cohorts = Q(room__cohort="") | Q(room__cohort=cohort) if cohort else Q(room__cohort="")
    return beds.filter(sexes, cohorts)


def room_rule_broken(room: Room, *, sex: str, cohort: str) -> str:
    """Why `room` does not take this person ("" when it does)."""
    if room.sex and room.sex != sex:
        if room.sex == Sex.FEMALE:
            return _("Room %(room)s is for women only.") % {"room": room.label}
        return _("Room %(room)s is for men only.") % {"room": room.label}
    if room.cohort and room.cohort != cohort:
        return _("Room %(room)s is for the cohort “%(cohort)s”.") % {
            "room": room.label,
            "cohort": room.cohort,
        }
    return ""


def _room_refusal(order: QuarantineOrder, why: str) -> Conflict:
    return Conflict(
        _(
            "%(name)s cannot have this bed: %(why)s Choose another bed, or give a reason to override "
            "the room rule."
        )
        % {"name": order.person.full_name, "why": why}
    )


def place(
    order: QuarantineOrder,
    facility: Facility,
    actor: User | None,
    bed: Bed | None = None,
    *,
    override_reason: str = "",
    request=None,
) -> None:
    """Give `order` a free bed of `facility` (inside the caller's transaction): ValidationError if the
    facility is closed or full, or the chosen bed is taken; Conflict if the room rules refuse the
    person and no override reason is given."""
    locked = Facility.objects.select_for_update().get(pk=facility.pk)
    if locked.status == FacilityStatus.CLOSED:
        raise ValidationError({"facility": [_("%(facility)s is closed.") % {"facility": facility.name}]})
    override_reason = override_reason.strip()[:300]
    for _attempt in range(3):
        broken = ""
        if bed is not None:
            chosen = bed
            broken = room_rule_broken(bed.room, sex=order.sex, cohort=order.cohort)
        else:
            free = free_beds(locked)
            chosen = fitting(free, sex=order.sex, cohort=order.cohort).first()
            if chosen is None and (other := free.select_related("room").first()) is not None:
                chosen, broken = other, room_rule_broken(other.room, sex=order.sex, cohort=order.cohort)
        if chosen is None:
            if locked.status != FacilityStatus.FULL:
                Facility.objects.filter(pk=locked.pk).update(status=FacilityStatus.FULL)
            raise ValidationError({"facility": [facility_full_message(facility)]})
        if chosen.room.facility_id != locked.pk:
            raise ValidationError({"bed": [_("This bed is not in the facility.")]})
        if broken and not override_reason:
            raise _room_refusal(order, broken)
        order.facility, order.bed = locked, chosen
        try:
            with transaction.atomic():
                order.save(update_fields=["facility", "bed", "updated_at"])
        except IntegrityError:  # taken a moment ago by another placement
            if bed is not None:
                raise ValidationError({"bed": [_("This bed is taken.")]}) from None
            continue
        details = {"facility": locked.code, "bed": str(chosen)}
        if broken:
            details["room_rule"] = broken
        OrderEvent.objects.create(
            order=order,
            kind=EventKind.PLACE,
            by=actor,
            reason=override_reason if broken else "",
            details=details,
        )
        if broken:
            audit_event_create(
                actor=actor,
                action="room_rule_override",
                object_type="quarantine_order",
                object_id=order.pk,
                purpose="quarantine placement",
                request=request,
                person_ids=[order.person_id],
                details={"bed": str(chosen), "rule": broken, "reason": override_reason},
            )
        if not free_beds(locked).exists():
            Facility.objects.filter(pk=locked.pk).update(status=FacilityStatus.FULL)
        return
    raise ValidationError({"facility": [facility_full_message(facility)]})


def bed_freed(order: QuarantineOrder) -> None:
    """A full facility opens again when one of its beds is freed."""
    if order.facility_id is not None:
        Facility.objects.filter(pk=order.facility_id, status=FacilityStatus.FULL).update(
            status=FacilityStatus.OPEN
        )


@transaction.atomic
def order_place(
    *, order: QuarantineOrder, actor: User, bed: Bed | None = None, override_reason: str = "", request=None
) -> QuarantineOrder:
    """Move an open facility order to another (or a chosen) bed of its facility; a bed whose room
    rules the person does not meet needs `override_reason`."""
    if order.facility is None:
        raise ValidationError(_("This order is for quarantine at home."))
    require_or_404(can_manage_facility, actor, order.facility, message=NO_ORDER)
    order = QuarantineOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if not order.is_open:
        raise ValidationError(_("This order is closed."))
    previous = order.bed
    place(order, order.facility, actor, bed, override_reason=override_reason, request=request)
    if previous is not None and previous != order.bed:
        bed_freed(order)
    return order
