"""Reads for the legal-hold pages."""

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils.timezone import localdate

from .models import LegalHold

# Ended holds stay on the review page this long (then only in the audit log, until the case goes).
ENDED_SHOWN_DAYS = 90


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
