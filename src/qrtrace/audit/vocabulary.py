"""The audit log in words: what each recorded `action` and standard `purpose` means, translated.

Events keep the short English codes they are written with (`read_timeline`, "contact tracing"):
they are stable keys that filters and reports use. The pages that show the log (the province's
audit review, a citizen's "my data") show these words instead. An app whose events need new words
adds them with `register_words` when it loads, so this module never imports the apps above it.
A purpose an official typed (a reason for dismissing a contact, a legal hold) is shown as typed.
"""

import re
from collections.abc import Callable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, Promise] = {
    "read": _("viewed"),
    "list": _("viewed a list"),
    "read_exposures": _("viewed the contacts"),
    "read_timeline": _("viewed the timeline"),
    "export": _("exported"),
    "export_exposures": _("exported the contacts"),
    "create": _("recorded"),
    "update": _("changed"),
    "register": _("applied to register a venue"),
    "approve": _("approved"),
    "reject": _("rejected"),
    "suspend": _("suspended"),
    "qr_rotate": _("replaced the QR code"),
    "qr_revoke": _("revoked the QR code"),
    "poster_batch": _("asked for posters"),
    "issue": _("issued a personal QR code"),
    "revoke": _("revoked"),
    "grant": _("gave a role"),
    "login": _("signed in"),
    "login_failed": _("failed to sign in"),
    "totp_enrol": _("set up a second factor"),
    "totp_verify": _("signed in with a second factor"),
    "trace": _("traced contacts"),
    "notify_contacts": _("sent the exposure SMS"),
    "add_contact": _("added a contact"),
    "add_place": _("added a place"),
    "dismiss_contact": _("dismissed a contact"),
    "select_followup": _("handed contacts over for follow-up"),
    "alert_draft": _("drafted a venue alert"),
    "alert_published": _("published a venue alert"),
    "alert_retracted": _("retracted a venue alert"),
    "legal_hold_place": _("placed a legal hold"),
    "legal_hold_lift": _("lifted a legal hold"),
    "purge": _("deleted data past its retention"),
    "erase_all": _("erased all data (shutdown)"),
    "my_data_view": _("opened the “my data” page"),
}

# Standard purposes; those naming a record are patterns with one group, the record's number or code.
PURPOSES: dict[str, Promise] = {
    "audit review": _("audit review"),
    "case follow-up": _("case follow-up"),
    "case registration": _("case registration"),
    "check-out": _("check-out"),
    "contact tracing": _("contact tracing"),
    "contacts without a known residence": _("contacts without a known residence"),
    "follow-up of contacts": _("follow-up of contacts"),
    "my data page, after phone verification": _("the “my data” page, after phone verification"),
    "official add": _("an official's account was set up"),
    "password set": _("a password was set"),
    "venue registrant's contact": _("the venue registrant's contact"),
    "gate staff added": _("gate staff added"),
}
PURPOSE_PATTERNS: list[tuple[re.Pattern, Promise]] = [
    (re.compile(r"contact tracing of case (\S+)"), _("contact tracing of case %(ref)s")),
    (re.compile(r"case (\S+)"), _("case %(ref)s")),
    (re.compile(r"check-in at venue (\S+)"), _("check-in at venue %(ref)s")),
    (re.compile(r"gate of venue (\S+)"), _("gate of venue %(ref)s")),
    (re.compile(r"visitor log of venue (\S+)"), _("visitor log of venue %(ref)s")),
]


def register_words(*, actions: dict[str, Promise] | None = None, purposes: dict[str, Promise] | None = None):
    """Add the words of an app's own actions and purposes (the quarantine app's, the map's)."""
    ACTIONS.update(actions or {})
    PURPOSES.update(purposes or {})


def action_words(action: str) -> str:
    """What an action code means, in the page's language (the code itself if none is known)."""
    words = ACTIONS.get(action)
    return str(words) if words is not None else action


def purpose_words(purpose: str) -> str:
    """A recorded purpose in the page's language; one an official typed is shown as typed."""
    if purpose in PURPOSES:
        return str(PURPOSES[purpose])
    for pattern, words in PURPOSE_PATTERNS:
        found = pattern.fullmatch(purpose)
        if found:
            return str(words) % {"ref": found.group(1)}
    return purpose


def action_choices() -> list[tuple[str, str]]:
    """(code, words) of every known action, in the words' order: the audit page's action filter."""
    return sorted(((code, str(words)) for code, words in ACTIONS.items()), key=lambda item: item[1])


# Who the people an event touched are: audit stores only their numbers, and sits below the app that
# knows names (people), which registers the lookup when it loads. It answers only the names the
# viewer may see, and records that it showed them.
_person_namer: Callable[..., dict[int, str]] | None = None


def register_person_namer(namer: Callable[..., dict[int, str]]) -> None:
    """`namer(*, viewer, person_ids, request)` → {person id: full name} the viewer may see."""
    global _person_namer
    _person_namer = namer


def person_names(*, viewer, person_ids, request=None) -> dict[int, str]:
    ids = sorted(set(person_ids))
    if _person_namer is None or not ids:
        return {}
    return _person_namer(viewer=viewer, person_ids=ids, request=request)
