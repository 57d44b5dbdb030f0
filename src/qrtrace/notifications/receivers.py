"""What the notifications app does when the apps below it ask for a message."""

from django.utils import translation
from django.utils.translation import gettext as _

from qrtrace.people.identity import Identity
from qrtrace.people.services import person_find_or_create
from qrtrace.venues.signals import venue_owner_invited

from .services import Outgoing, messages_enqueue


def venue_owner_sms(*, venue, user, link: str, **kwargs) -> None:
    """Text an approved venue's owner their one-time link, at the phone the application gave.
    Messages go to people, so the owner is found (or recorded) as the person with that phone."""
    with translation.override("vi"):
        body = _(
            "QRTrace: %(venue)s is approved. Set your password, print the QR poster and add gate staff "
            "(account %(user)s): %(link)s - the link works once, for 3 days."
        ) % {"venue": venue.name, "user": user.get_username(), "link": link}
        name = _("Owner of %(venue)s") % {"venue": venue.name}
    person, _created = person_find_or_create(
        identity=Identity(full_name=name[:120], phone=venue.contact_phone)
    )
    messages_enqueue(reference=f"venue_owner:{venue.code}", outgoing=[Outgoing(person=person, body=body)])


def connect() -> None:
    venue_owner_invited.connect(venue_owner_sms, dispatch_uid="notifications.venue_owner_sms")
