"""Refuse request bodies over QRTRACE_MAX_BODY_BYTES (Django's DATA_UPLOAD_MAX_MEMORY_SIZE) with 413.

Left to Django, such a body raises RequestDataTooBig when something first reads it (the CSRF check,
a form, the API's JSON parser) and ends as a bare "Bad Request (400)" page, in HTML even for API
clients. Checking the declared length before anything reads the body refuses it at once, reads
nothing, and says why in the caller's format: JSON `{"detail": …}` for the API, a page otherwise.
(Under WSGI a body without a Content-Length is read as empty, so the declared length is the size.)
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # as Django's request reader treats it
        if limit is None or length <= limit:
            return self.get_response(request)
        # LocaleMiddleware has not run yet: answer in the language it would have chosen.
        with translation.override(translation.get_language_from_request(request)):
            return self._refuse(request, limit)

    def _refuse(self, request: HttpRequest, limit: int) -> HttpResponse:
        message = _("This request is too large: send at most %(kb)d KB.") % {"kb": limit // 1024}
        if request.path.startswith(reverse("api:api-root")):
            return JsonResponse({"detail": message}, status=413)
        return render(request, "lib/too_large.html", {"message": message}, status=413)
