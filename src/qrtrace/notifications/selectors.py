from django.db.models import QuerySet

from .models import Message


def message_list(*, reference: str) -> QuerySet[Message]:
    """Messages about one thing (e.g. "case:12"), for the status column of the tracing console."""
    return Message.objects.filter(reference=reference).order_by("pk")
