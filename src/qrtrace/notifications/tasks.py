"""Notifications' background task: send the messages that are due."""

from qrtrace.lib import background

from . import services


# Not atomic: each message is claimed, handed to the gateway and recorded on its own (an SMS sent
# cannot be rolled back); a rerun sends only what is still due.
@background.task(atomic=False, priority=40)
def deliver_due_messages() -> int:
    return services.messages_deliver()
