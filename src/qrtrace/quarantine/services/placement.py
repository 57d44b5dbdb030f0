"""Putting a person in a free bed of a facility. Two placements at once never share a bed: the
facility row is locked while a bed is chosen (PostgreSQL; SQLite runs one writer at a time), and
the database refuses a second open order on a bed (`order_one_open_per_bed`) whatever happens."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import can_manage_facility, require_or_404

from ..messages import NO_ORDER
from ..models import OPEN_STATUSES, Bed, EventKind, Facility, FacilityStatus, OrderEvent, QuarantineOrder


def free_beds(facility: Facility):
    taken = QuarantineOrder.objects.filter(status__in=OPEN_STATUSES, bed__isnull=False).values("bed_id")
    return Bed.objects.filter(room__facility=facility).exclude(pk__in=taken).order_by("room__label", "pk")


def facility_full_message(facility: Facility) -> str:
    return _("%(facility)s has no free bed: choose another facility.") % {"facility": facility.name}


def place(order: QuarantineOrder, facility: Facility, actor: User | None, bed: Bed | None = None) -> None:
    """Give `order` a free bed of `facility` (inside the caller's transaction): ValidationError if the
    facility is closed or full, or the chosen bed is taken."""
    locked = Facility.objects.select_for_update().get(pk=facility.pk)
    if locked.status == FacilityStatus.CLOSED:
        raise ValidationError({"facility": [_("%(facility)s is closed.") % {"facility": facility.name}]})
    for _attempt in range(3):
        chosen = bed if bed is not None else free_beds(locked).first()
        if chosen is None:
            if locked.status != FacilityStatus.FULL:
                Facility.objects.filter(pk=locked.pk).update(status=FacilityStatus.FULL)
            raise ValidationError({"facility": [facility_full_message(facility)]})
        if chosen.room.facility_id != locked.pk:
            raise ValidationError({"bed": [_("This bed is not in the facility.")]})
        order.facility, order.bed = locked, chosen
        try:
            with transaction.atomic():
                order.save(update_fields=["facility", "bed", "updated_at"])
        except IntegrityError:  # taken a moment ago by another placement
            if bed is not None:
                raise ValidationError({"bed": [_("This bed is taken.")]}) from None
            continue
        OrderEvent.objects.create(
            order=order, kind=EventKind.PLACE, by=actor, details={"facility": locked.code, "bed": str(chosen)}
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
    *, order: QuarantineOrder, actor: User, bed: Bed | None = None, request=None
) -> QuarantineOrder:
    """Move an open facility order to another (or a chosen) bed of its facility."""
    if order.facility is None:
        raise ValidationError(_("This order is for quarantine at home."))
    require_or_404(can_manage_facility, actor, order.facility, message=NO_ORDER)
    order = QuarantineOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if not order.is_open:
        raise ValidationError(_("This order is closed."))
    previous = order.bed
    place(order, order.facility, actor, bed)
    if previous is not None and previous != order.bed:
        bed_freed(order)
    return order
