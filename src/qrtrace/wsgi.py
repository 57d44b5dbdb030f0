import gc
import io
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qrtrace.settings")
django_application = get_wsgi_application()
# What every request needs is imported now (the URLconf pulls in the views and the API), then left out
# of the garbage collector's full passes: a gate device's batch keeps ~10,000 objects alive through its
# request, they reach the oldest generation, and each full pass then walked all of Django and the app
# as well. In one process, 20 batches of 500 on PostgreSQL: the slowest 2–3 took 270–430 ms of CPU
# each, frozen the slowest took 193–207 ms (docs/benchmarks.md, "Batch ingest, fourth round").
get_resolver().url_patterns  # noqa: B018 (imported for its side effect)
gc.freeze()


def application(environ, start_response):
    """Django's application, with chunked request bodies made ordinary.

    A client may send its body chunked, without a Content-Length (HTTP/1.1 allows it; some gateways
    and HTTP libraries do it for streamed uploads). Django reads the body only up to CONTENT_LENGTH, so
    it would see an empty body and answer as if nothing had been sent. The server hands us the body
    de-chunked; it is read here up to one byte over the size limit, then given to Django with its
    length, so the body-size middleware refuses an oversized one with 413 like any other.
    """
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower() and not environ.get("CONTENT_LENGTH"):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = environ["wsgi.input"].read(limit + 1) if limit is not None else environ["wsgi.input"].read()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
    return django_application(environ, start_response)
