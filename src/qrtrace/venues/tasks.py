"""Venues' background task: a commune's poster batch."""

from qrtrace.lib import background

from . import services
from .models import PosterBatch


# Not atomic: drawing a commune's posters takes seconds, and an open transaction would hold SQLite's
# write lock all that time. Building again overwrites the same file, so a rerun is harmless.
@background.task(atomic=False, priority=10, takes_context=True)
def build_poster_batch(context, *, batch_id: int) -> str:
    try:
        return services.poster_batch_build(batch_id=batch_id).status
    except Exception:
        if background.is_last_attempt(context):
            # Said on the page, so the official asks again instead of waiting for ever.
            PosterBatch.objects.filter(pk=batch_id).update(status=PosterBatch.Status.FAILED)
        raise
