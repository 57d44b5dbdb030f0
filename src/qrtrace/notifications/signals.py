"""What notifications tell the apps that queue messages, without importing them."""

from django.dispatch import Signal

# Sent after a message was handed to the provider. Arguments: reference: str, person_id: int.
message_sent = Signal()
