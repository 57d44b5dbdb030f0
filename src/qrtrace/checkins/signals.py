"""What the check-in app tells the apps above it, without importing them."""

from django.dispatch import Signal

# Sent after a check-in is saved whose visit began more than a few minutes before it reached us
# (a gate device syncing later, a manual entry). Tracing re-runs open cases that it may touch.
# Arguments: checkin_ids: list[int], venue_ids: list[int], earliest: datetime.
late_checkins_recorded = Signal()
