"""Reads for the legal-hold pages."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.selectors import can_review_audit_log

from .models import LegalHold

# Ended holds stay on the review page this long (then only in the audit log, until the case goes).
ENDED_SHOWN_DAYS = 90


def require_hold_officer(user: User) -> None:
    """Holds keep the province's records past their retention: they are the province office's and
    the administrators' to place, lift and review — the same people who review the audit log."""
    if not can_review_audit_log(user):
        raise PermissionDenied(_("Only the province office and administrators manage legal holds."))


def legal_hold_list(*, now: datetime) -> tuple[QuerySet[LegalHold], QuerySet[LegalHold]]:
    """(holds in force, soonest end first; holds ended in the last ENDED_SHOWN_DAYS, latest first)."""
    holds = LegalHold.objects.select_related("case", "placed_by", "lifted_by")
    live = holds.live(now).order_by("until", "pk")
    shown_from = now - timedelta(days=ENDED_SHOWN_DAYS)
    recently_ended = Q(lifted_at__gte=shown_from) | Q(
        lifted_at__isnull=True, until__gte=localdate(shown_from)
    )
    ended = holds.exclude(pk__in=live.values("pk")).filter(recently_ended)
    return live, ended.order_by("-placed_at", "-pk")
