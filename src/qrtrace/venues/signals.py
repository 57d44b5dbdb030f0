"""Signals of the venues app, for the apps above it."""

from django.dispatch import Signal

# An approved venue's owner has an account and must be sent its one-time link (`link`): the
# notifications app texts it to the venue's contact phone. Sent inside the approval's transaction.
# Arguments: venue, user, link.
venue_owner_invited = Signal()
