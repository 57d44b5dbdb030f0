import io
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qrtrace.settings")
django_application = get_wsgi_application()


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
