"""Venue use-cases: registration and approval, details, and the life of its QR code.

Who may do what: officials of a province or commune act on the venues of their area (create,
approve, reject, suspend, edit, rotate, revoke); a venue's managers (role `venue`) edit their
venue's details and rotate or revoke its code (the rules: `accounts.permissions`). Everything is
audited.
"""

import logging
from collections.abc import Sequence
from datetime import time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.models import Role, User
from qrtrace.accounts.permissions import (
    can_add_venue,
    can_approve_venue,
    can_issue_posters,
    can_manage_venue,
    require,
)
from qrtrace.accounts.services import official_upsert
from qrtrace.accounts.welcome import welcome_url
from qrtrace.audit.services import audit_event_create
from qrtrace.geo.models import Commune
from qrtrace.lib import background
from qrtrace.lib.errors import Conflict
from qrtrace.lib.identity import InvalidIdentity, normalize_phone
from qrtrace.lib.signing import random_code

from . import tasks
from .models import DEFAULT_STAY_MINUTES, PosterBatch, Venue, VenueKind, VenueStatus
from .posters import poster_pdf
from .qr import CODE_LENGTH
from .selectors import active_venues_of_commune
from .signals import venue_owner_invited

logger = logging.getLogger(__name__)


class _Keep:
    """The default of a venue_update argument for which None has a meaning of its own."""


KEEP = _Keep()


def venue_register(
    *, name: str, kind: str, address: str, commune_code: int, contact_phone: str, ip: str | None = None
) -> Venue:
    """A business or agency applies through the public form; an official then approves it."""
    commune = _province_commune(commune_code)
    phone = _phone(contact_phone)
    with transaction.atomic():
        same_phone = Venue.objects.filter(contact_phone=phone, commune=commune).exclude(
            status=VenueStatus.REJECTED
        )
        if any(_name_key(v.name) == _name_key(name) for v in same_phone):
            raise Conflict(_("This venue has already applied with this phone number in this commune."))
        venue = _save_new(name=name, kind=kind, address=address, commune=commune, contact_phone=phone)
        audit_event_create(
            actor=None, action="register", object_type="venue", object_id=venue.code, details={"ip": ip}
        )
    return venue


@transaction.atomic
def venue_create(
    *,
    actor: User,
    name: str,
    kind: str,
    address: str,
    commune_code: int,
    contact_phone: str = "",
    lat: Decimal | None = None,
    lng: Decimal | None = None,
    default_stay_minutes: int | None = None,
    opens_at: time | None = None,
    closes_at: time | None = None,
    always_open: bool = False,
) -> Venue:
    """An official registers a venue of their area directly: it is active at once."""
    commune = _province_commune(commune_code)
    require(can_add_venue, actor, commune.code)
    now = timezone.now()
    venue = _save_new(
        name=name,
        kind=kind,
        address=address,
        commune=commune,
        contact_phone=_phone(contact_phone) if contact_phone else "",
        lat=lat,
        lng=lng,
        default_stay_minutes=default_stay_minutes,
        opens_at=opens_at,
        closes_at=closes_at,
        always_open=always_open,
        status=VenueStatus.ACTIVE,
        created_by=actor,
        approved_by=actor,
        approved_at=now,
        qr_issued_at=now,
    )
    audit_event_create(actor=actor, action="create", object_type="venue", object_id=venue.code)
    return venue


@transaction.atomic
def venue_approve(*, actor: User, venue: Venue) -> Venue:
    """Activate a pending application, or reactivate a suspended venue."""
    require(can_approve_venue, actor, venue)
    if venue.status not in (VenueStatus.PENDING, VenueStatus.SUSPENDED):
        raise Conflict(_("Only a pending or suspended venue can be approved."))
    now = timezone.now()
    venue.status, venue.status_note = VenueStatus.ACTIVE, ""
    venue.approved_by, venue.approved_at = actor, now
    venue.qr_issued_at = venue.qr_issued_at or now
    venue.save(update_fields=["status", "status_note", "approved_by", "approved_at", "qr_issued_at"])
    audit_event_create(actor=actor, action="approve", object_type="venue", object_id=venue.code)
    _owner_invite(actor=actor, venue=venue)
    return venue


def owner_username(venue: Venue) -> str:
    return f"owner-{venue.code.lower()}"


def _owner_invite(*, actor: User, venue: Venue) -> None:
    """A venue approved for the first time, with a contact phone and nobody running it yet, gets an
    owner account; its one-time link goes to that phone (venue_owner_invited: notifications texts it).
    With it the owner sets a password, prints the poster and adds gate staff: no command line."""
    if not venue.contact_phone or venue.managers.exists():
        return
    if User.objects.filter(username=owner_username(venue)).exists():
        return
    owner = official_upsert(
        username=owner_username(venue), role=Role.VENUE, area_code=venue.code, actor=actor
    )
    venue_owner_invited.send(sender=Venue, venue=venue, user=owner, link=welcome_url(owner))


@transaction.atomic
def venue_staff_add(*, actor: User, venue: Venue, username: str, full_name: str, password: str) -> User:
    """Give the venue a new member of gate staff, with the password they will sign in with: its owner
    (or an official of its area) does it from the venue's page."""
    require(can_manage_venue, actor, venue)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken: choose another.")})
    user = User(username=username, first_name=full_name.strip()[:150])
    validate_password(password, user=user)
    user.set_password(password)
    user.save()
    official_upsert(username=user.username, role=Role.VENUE, area_code=venue.code, actor=actor)
    audit_event_create(
        actor=actor,
        action="grant",
        object_type="venue",
        object_id=venue.code,
        purpose="gate staff added",
        details={"user": user.username},
    )
    return user


@transaction.atomic
def venue_reject(*, actor: User, venue: Venue, reason: str) -> Venue:
    require(can_approve_venue, actor, venue)
    if venue.status != VenueStatus.PENDING:
        raise Conflict(_("Only a pending application can be rejected."))
    return _set_status(actor, venue, VenueStatus.REJECTED, reason, "reject")


@transaction.atomic
def venue_suspend(*, actor: User, venue: Venue, reason: str) -> Venue:
    """Stop the venue's code from working at once (its posters show the invalid-code page)."""
    require(can_approve_venue, actor, venue)
    if venue.status != VenueStatus.ACTIVE:
        raise Conflict(_("Only an active venue can be suspended."))
    venue.suspended_at = timezone.now()
    return _set_status(actor, venue, VenueStatus.SUSPENDED, reason, "suspend", also=["suspended_at"])


@transaction.atomic
def venue_update(
    *,
    actor: User,
    venue: Venue,
    name: str | None = None,
    kind: str | None = None,
    address: str | None = None,
    contact_phone: str | None = None,
    lat: Decimal | None = None,
    lng: Decimal | None = None,
    default_stay_minutes: int | None = None,
    opens_at: time | _Keep | None = KEEP,
    closes_at: time | _Keep | None = KEEP,
    always_open: bool | None = None,
) -> Venue:
    """Edit a venue's details (its managers or an official of its area). None leaves a field as is,
    except the opening and closing times, where None clears them (hours no longer known)."""
    require(can_manage_venue, actor, venue)
    hours = {"opens_at": opens_at, "closes_at": closes_at}
    changes = {
        "name": name,
        "kind": kind,
        "address": address,
        "contact_phone": _phone(contact_phone) if contact_phone else contact_phone,
        "lat": lat,
        "lng": lng,
        "default_stay_minutes": default_stay_minutes,
        "always_open": always_open,
    }
    changed = [
        field for field, value in changes.items() if value is not None and value != getattr(venue, field)
    ]
    changed += [
        field for field, value in hours.items() if value is not KEEP and value != getattr(venue, field)
    ]
    changes |= hours
    for field in changed:
        setattr(venue, field, changes[field])
    if changed:
        venue.full_clean()
        venue.save(update_fields=changed)
        audit_event_create(
            actor=actor,
            action="update",
            object_type="venue",
            object_id=venue.code,
            details={"fields": changed},
        )
    return venue


@transaction.atomic
def venue_qr_rotate(*, actor: User, venue: Venue) -> Venue:
    """Issue a new code; posters with the old one keep working for QRTRACE_QR_GRACE_DAYS."""
    require(can_manage_venue, actor, venue)
    now = timezone.now()
    venue.qr_version += 1
    venue.qr_grace_until = now + timedelta(days=settings.QRTRACE_QR_GRACE_DAYS)
    venue.qr_issued_at = now
    venue.save(update_fields=["qr_version", "qr_grace_until", "qr_issued_at"])
    audit_event_create(actor=actor, action="qr_rotate", object_type="venue", object_id=venue.code)
    return venue


@transaction.atomic
def venue_qr_revoke(*, actor: User, venue: Venue) -> Venue:
    """Issue a new code and stop every earlier one at once (a copied or misused poster)."""
    require(can_manage_venue, actor, venue)
    venue.qr_version += 1
    venue.qr_grace_until = None
    venue.qr_issued_at = timezone.now()
    venue.save(update_fields=["qr_version", "qr_grace_until", "qr_issued_at"])
    audit_event_create(actor=actor, action="qr_revoke", object_type="venue", object_id=venue.code)
    return venue


@transaction.atomic
def poster_batch_create(*, actor: User, commune_code: int) -> PosterBatch:
    """Record a request for a commune's posters; `posters.poster_batch_build` then writes the PDF."""
    commune = _province_commune(commune_code)
    require(can_issue_posters, actor, commune.code)
    batch = PosterBatch.objects.create(commune=commune, requested_by=actor)
    audit_event_create(actor=actor, action="poster_batch", object_type="commune", object_id=commune.code)
    # A task, not a thread of this web process: a restart or a second app server cannot lose it.
    background.enqueue_on_commit(tasks.build_poster_batch, batch_id=batch.pk)
    return batch


def poster_batch_build(*, batch_id: int) -> PosterBatch:
    """Write the batch's PDF (every active venue of the commune) and mark it ready or failed."""
    batch = PosterBatch.objects.select_related("commune").get(pk=batch_id)
    venues = list(active_venues_of_commune(batch.commune_id))
    try:
        batch.path.parent.mkdir(parents=True, exist_ok=True)
        partial = batch.path.with_suffix(".part")
        partial.write_bytes(poster_pdf(venues))
        partial.replace(batch.path)  # atomic: a download never sees half a file
        batch.status = PosterBatch.Status.READY
    except OSError:
        logger.exception("Poster batch %s could not be written", batch.pk)
        batch.status = PosterBatch.Status.FAILED
    batch.venue_count, batch.finished_at = len(venues), timezone.now()
    batch.save(update_fields=["status", "venue_count", "finished_at"])
    return batch


def _save_new(
    *, name: str, kind: str, commune: Commune, default_stay_minutes: int | None = None, **fields
) -> Venue:
    if kind not in VenueKind.values:
        raise ValidationError({"kind": _("Choose a kind of venue from the list.")})
    venue = Venue(
        name=" ".join(name.split()),
        kind=kind,
        commune=commune,
        default_stay_minutes=default_stay_minutes or DEFAULT_STAY_MINUTES[kind],
        **fields,
    )
    venue.full_clean(exclude=["code"])
    # Codes are random, so a clash is rare; retry rather than check first (that would race).
    for _attempt in range(5):
        venue.code = random_code(CODE_LENGTH)
        try:
            with transaction.atomic():
                venue.save()
            return venue
        except IntegrityError:
            venue.pk = None
    raise Conflict(_("Could not allocate a venue code; please try again."))


def _set_status(
    actor: User, venue: Venue, status: str, reason: str, action: str, also: Sequence[str] = ()
) -> Venue:
    venue.status, venue.status_note = status, reason.strip()[:300]
    venue.save(update_fields=["status", "status_note", *also])
    audit_event_create(actor=actor, action=action, object_type="venue", object_id=venue.code, purpose=reason)
    return venue


def _province_commune(commune_code: int) -> Commune:
    commune = Commune.objects.filter(code=commune_code, province_id=settings.QRTRACE_PROVINCE).first()
    if commune is None:
        raise ValidationError({"commune_code": _("Choose a commune of this province.")})
    return commune


def _phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except InvalidIdentity as exc:
        raise ValidationError({"contact_phone": exc.message}) from None


def _name_key(name: str) -> str:
    # casefold() handles Vietnamese capitals (Ợ/ợ) that the databases' case-insensitive lookups miss.
    return " ".join(name.casefold().split())
