""" "My data": a person proves they hold a phone and sees what the system keeps about them and their
family, and every official who touched it (issue 6, Audit).

The code is stateless: an HMAC of the phone number and a 5-minute time step under a key derived from
SECRET_KEY, so no table holds live codes. It is accepted during its own step and the next (5 to 10
minutes), compared in constant time, and guessing is bounded by the rate limits below (10 tries an hour
per phone against 2 valid codes in a million). A code goes out only for a phone we hold; the page says
the same either way, so it cannot be used to learn whether a number is known.

The SMS goes through the notifications outbox (its worker delivers and retries); the message body, and
so the code, is stored there until the person's data is purged, by which time the code is long dead.
"""

import hmac
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qrtrace.accounts.models import Membership, Role
from qrtrace.audit.models import AuditEvent
from qrtrace.audit.selectors import audit_event_list
from qrtrace.audit.services import audit_event_create
from qrtrace.audit.vocabulary import action_words, purpose_words
from qrtrace.checkins.models import CheckIn
from qrtrace.lib.ratelimit import Bucket, ratelimit_allow_all
from qrtrace.notifications.services import Outgoing, messages_enqueue
from qrtrace.people.models import Person
from qrtrace.people.selectors import person_by_phone
from qrtrace.venues.models import Venue

STEP_SECONDS = 5 * 60
CODE_DIGITS = 6
_SHOWN_EVENTS = 500  # per family member: years of an ordinary person's history
# The reason person_update records when a person corrects their own details (views.details).
SELF_UPDATE_PURPOSE = "own correction, after phone verification"


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _code(phone: str, step: int) -> str:
    digest = salted_hmac("qrtrace.privacy.my_data", f"{phone}:{step}", algorithm="sha256").digest()
    return str(int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def my_data_code_send(*, phone: str, ip: str, now: datetime | None = None) -> bool:
    """Queue an SMS with the code for `phone` (normalised) if we hold data about it. False when the
    rate limit refuses (nothing is sent); True otherwise, whether or not the phone is known."""
    limits = [
        Bucket("my-data-code-phone", phone, settings.QRTRACE_RATELIMIT_OTP_PHONE_PER_HOUR, 3600),
        Bucket("my-data-code-ip", ip, settings.QRTRACE_RATELIMIT_OTP_IP_PER_HOUR, 3600),
    ]
    if not ratelimit_allow_all(limits):
        return False
    person = person_by_phone(phone)
    if person is not None:
        step = _step(now or timezone.now())
        body = _(
            "QRTrace: your code to see your data is %(code)s, valid 5 minutes. Never give it to anyone."
        ) % {"code": _code(phone, step)}
        # One message per time step: asking again within it repeats the same code, so it is not resent.
        messages_enqueue(reference=f"my-data:{step}", outgoing=[Outgoing(person=person, body=body)])
    return True


class TooManyAttempts(Exception):
    pass


@transaction.atomic
def my_data_verify(
    *, phone: str, code: str, ip: str, request: HttpRequest | None = None, now: datetime | None = None
) -> Person | None:
    """The person holding `phone` if `code` is right (None otherwise). Raises TooManyAttempts when
    the rate limit refuses, before the code is even compared. A success is audit-logged, so the
    person sees in the list itself when their page was opened."""
    limits = [Bucket("my-data-verify-phone", phone, 10, 3600), Bucket("my-data-verify-ip", ip, 100, 3600)]
    if not ratelimit_allow_all(limits):
        raise TooManyAttempts
    step = _step(now or timezone.now())
    # Both steps are always compared, so the time taken says nothing about which one matched.
    matches = [hmac.compare_digest(_code(phone, s), code) for s in (step, step - 1)]
    person = person_by_phone(phone)
    if not any(matches) or person is None:
        return None
    audit_event_create(
        actor=None,
        action="my_data_view",
        object_type="person",
        object_id=person.pk,
        purpose="my data page, after phone verification",
        request=request,
        person_ids=[person.pk, *person.wards.values_list("pk", flat=True)],
    )
    return person


# --- Reads -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """One audit event about the family, as the person is shown it."""

    at: datetime
    who: str  # role and area, never the official's name
    action: str
    purpose: str
    about: list[str]  # which family members it touched


# The citizen's own visit reads best from their side; every other action as the audit log words it.
_ACTIONS = {"my_data_view": gettext_lazy("opened this page")}


def my_data_family(*, person: Person) -> list[Person]:
    return [person, *person.wards.order_by("full_name")]


def my_data_checkins(*, family: list[Person]) -> list[CheckIn]:
    return list(
        CheckIn.objects.filter(person__in=family)
        .select_related("venue", "venue__commune", "person")
        .order_by("-entered_at")
    )


def my_data_accesses(*, family: list[Person]) -> list[Access]:
    """Every audit event that touched someone in `family`, newest first."""
    names = {member.pk: member.full_name for member in family}
    events: dict[int, AuditEvent] = {}
    for member in family:
        events |= {event.pk: event for event in audit_event_list(person_id=member.pk)[:_SHOWN_EVENTS]}
    ordered = sorted(events.values(), key=lambda event: (event.at, event.pk), reverse=True)
    roles = _actor_roles({event.actor_id for event in ordered if event.actor_id})
    return [
        Access(
            at=event.at,
            who=_who(event, roles),
            action=str(_ACTIONS[event.action]) if event.action in _ACTIONS else action_words(event.action),
            purpose=purpose_words(event.purpose),
            about=[names[s.person_id] for s in event.subjects.all() if s.person_id in names],
        )
        for event in ordered
    ]


def _who(event: AuditEvent, roles: dict[int, str]) -> str:
    if event.actor_id:
        return roles.get(event.actor_id) or _("An official")
    if event.action == "my_data_view" or event.purpose == SELF_UPDATE_PURPOSE:
        return _("You, after phone verification")
    return _("The system")


def _actor_roles(actor_ids: set[int]) -> dict[int, str]:
    """ "Commune health station · Phường Hạc Thành" for each official: what they are, not who."""
    memberships = list(Membership.objects.filter(user_id__in=actor_ids).select_related("commune", "province"))
    venue_codes = [m.area_code for m in memberships if m.role == Role.VENUE]
    venue_names = dict(Venue.objects.filter(code__in=venue_codes).values_list("code", "name"))
    labels: dict[int, list[str]] = {}
    for membership in memberships:
        if membership.role == Role.VENUE:
            area = venue_names.get(membership.area_code, membership.area_code)
        else:
            area = membership.commune or membership.province
        labels.setdefault(membership.user_id, []).append(f"{membership.get_role_display()} · {area}")
    return {user_id: "; ".join(sorted(parts)) for user_id, parts in labels.items()}
