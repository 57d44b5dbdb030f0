"""Writes of the public side: announcements and their SMS round, SMS opt-outs, citizens' feedback."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import can_announce_in, can_handle_feedback, require, require_or_404
from qrtrace.audit.services import audit_event_create
from qrtrace.geo.models import Commune
from qrtrace.lib import background
from qrtrace.lib.crypto import lookup_hash
from qrtrace.lib.ratelimit import ratelimit_allow

from .models import Announcement, Feedback, Priority, SmsOptOut
from .selectors import announcements_cache_clear

_OPTOUT_SALT = "public.sms-optout"


def _area(commune_codes) -> list[int]:
    codes = sorted({int(code) for code in commune_codes})
    known = set(
        Commune.objects.filter(code__in=codes, province_id=settings.QRTRACE_PROVINCE).values_list(
            "code", flat=True
        )
    )
    if set(codes) - known:
        raise ValidationError({"communes": [_("Choose communes of this province.")]})
    return codes


def _forget_copies() -> None:
    """This process's copy of the announcements is dropped now and again once the write commits (a
    reload in between would still read the old rows)."""
    announcements_cache_clear()
    transaction.on_commit(announcements_cache_clear)


def _check_times(publish_at: datetime, expires_at: datetime | None) -> None:
    if expires_at is not None and expires_at <= publish_at:
        raise ValidationError({"expires_at": [_("The announcement must expire after it is published.")]})


@transaction.atomic
def announcement_create(
    *,
    actor: User,
    title: str,
    body: str,
    communes: list[int],
    priority: int = Priority.NORMAL,
    publish_at: datetime | None = None,
    expires_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> Announcement:
    """Publish a notice for the province (no communes) or some of its communes."""
    codes = _area(communes)
    require(can_announce_in, actor, codes)
    publish_at = publish_at or timezone.now()
    _check_times(publish_at, expires_at)
    announcement = Announcement.objects.create(
        title=title.strip(),
        body=body.strip(),
        priority=priority,
        publish_at=publish_at,
        expires_at=expires_at,
        created_by=actor,
    )
    announcement.communes.set(codes)
    audit_event_create(
        actor=actor,
        action="announcement_create",
        object_type="announcement",
        object_id=announcement.pk,
        request=request,
    )
    _forget_copies()
    return announcement


@transaction.atomic
def announcement_update(
    *,
    announcement: Announcement,
    actor: User,
    title: str,
    body: str,
    communes: list[int],
    priority: int,
    publish_at: datetime,
    expires_at: datetime | None,
    withdrawn: bool = False,
    request: HttpRequest | None = None,
) -> Announcement:
    """Change an announcement, or withdraw it (it disappears everywhere at once)."""
    require(can_announce_in, actor, [c.code for c in announcement.communes.all()])
    codes = _area(communes)
    require(can_announce_in, actor, codes)
    _check_times(publish_at, expires_at)
    announcement.title, announcement.body = title.strip(), body.strip()
    announcement.priority, announcement.publish_at, announcement.expires_at = priority, publish_at, expires_at
    if withdrawn and announcement.withdrawn_at is None:
        announcement.withdrawn_at = timezone.now()
    elif not withdrawn:
        announcement.withdrawn_at = None
    announcement.save()
    announcement.communes.set(codes)
    audit_event_create(
        actor=actor,
        action="announcement_withdraw" if withdrawn else "announcement_update",
        object_type="announcement",
        object_id=announcement.pk,
        request=request,
    )
    _forget_copies()
    return announcement


@transaction.atomic
def announcement_sms_request(
    *, announcement: Announcement, actor: User, days: int, request: HttpRequest | None = None
) -> None:
    """Send an urgent announcement by SMS to everyone who checked in within its area in the last
    `days` days (once per announcement; a background task queues the messages)."""
    require(can_announce_in, actor, [c.code for c in announcement.communes.all()])
    if announcement.priority != Priority.URGENT:
        raise ValidationError(_("Only urgent announcements go out by SMS."))
    if announcement.sms_requested_at is not None:
        raise ValidationError(_("This announcement has already been sent by SMS."))
    if not 1 <= days <= settings.QRTRACE_RETENTION_DAYS:
        raise ValidationError(
            _("Choose between 1 and %(most)d days (check-ins are kept no longer).")
            % {"most": settings.QRTRACE_RETENTION_DAYS}
        )
    if not ratelimit_allow(
        scope="announcement_sms",
        key=str(actor.pk),
        limit=settings.QRTRACE_ANNOUNCEMENT_SMS_PER_DAY,
        period_seconds=86400,
    ):
        raise PermissionDenied(_("Too many SMS rounds today from this account: try again tomorrow."))
    announcement.sms_requested_at, announcement.sms_days = timezone.now(), days
    announcement.save(update_fields=["sms_requested_at", "sms_days"])
    audit_event_create(
        actor=actor,
        action="announcement_sms",
        object_type="announcement",
        object_id=announcement.pk,
        purpose=f"visits of the last {days} days in its area",
        request=request,
    )
    from . import tasks

    background.enqueue_on_commit(tasks.announcement_sms, announcement_id=announcement.pk)


def optout_token(phone_hash: str) -> str:
    """The signed key of an opt-out link: a keyed hash of the phone, never the number."""
    return signing.Signer(salt=_OPTOUT_SALT).sign(phone_hash)


def optout_phone_hash(token: str) -> str | None:
    try:
        return signing.Signer(salt=_OPTOUT_SALT).unsign(token)
    except signing.BadSignature:
        return None


@transaction.atomic
def sms_optout(*, token: str) -> bool:
    """Stop announcement SMS to the phone this link was sent to; False for a link that is not ours."""
    phone_hash = optout_phone_hash(token)
    if phone_hash is None:
        return False
    SmsOptOut.objects.get_or_create(phone_hash=phone_hash)
    return True


OPTOUT_KEYWORD = "TUCHOI"


@transaction.atomic
def sms_optout_by_text(*, phone: str, text: str = "") -> str:
    """A text "TUCHOI" from `phone` (normalised +84…): no more announcement SMS to it; the reply."""
    SmsOptOut.objects.get_or_create(phone_hash=lookup_hash("phone", phone))
    return _(
        "QRTrace: this number will get no more announcement SMS. Messages about your own exposure still come."
    )


# --- feedback -------------------------------------------------------------------------------------


def feedback_allow(*, ip: str) -> bool:
    return ratelimit_allow(
        scope="feedback_ip",
        key=ip,
        limit=settings.QRTRACE_RATELIMIT_FEEDBACK_IP_PER_HOUR,
        period_seconds=3600,
    )


@transaction.atomic
def feedback_create(*, kind: str, commune: int, place: str, text: str, phone: str = "") -> Feedback:
    """A citizen's report, for the station of `commune` (validated by the form before)."""
    return Feedback.objects.create(
        kind=kind, commune_id=commune, place=place.strip(), text=text.strip(), phone=phone
    )


@transaction.atomic
def feedback_handle(
    *, feedback: Feedback, actor: User, note: str, request: HttpRequest | None = None
) -> Feedback:
    require_or_404(can_handle_feedback, actor, feedback.commune_id, message=_("No such report in your area."))
    feedback.handled_at, feedback.handled_by, feedback.handled_note = (
        timezone.now(),
        actor,
        note.strip()[:300],
    )
    feedback.save(update_fields=["handled_at", "handled_by", "handled_note"])
    audit_event_create(
        actor=actor, action="feedback_handle", object_type="feedback", object_id=feedback.pk, request=request
    )
    return feedback


def feedback_purge(*, now: datetime | None = None) -> int:
    """Delete citizens' reports (and the phones they left) older than QRTRACE_FEEDBACK_RETENTION_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.QRTRACE_FEEDBACK_RETENTION_DAYS)
    deleted, _by_model = Feedback.objects.filter(created_at__lt=cutoff).delete()
    return deleted
