"""Venues' background task: a commune's poster batch."""

from qrtrace.lib import background

from . import services


# Not atomic: drawing a commune's posters takes seconds, and an open transaction would hold SQLite's
# write lock all that time. Building again overwrites the same file, so a rerun is harmless.
@background.task(atomic=False, priority=10)
def build_poster_batch(*, batch_id: int) -> str:
    return services.poster_batch_build(batch_id=batch_id).status
