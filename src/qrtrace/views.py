from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from qrtrace.accounts.permissions import can_trace


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"can_trace": can_trace(request.user)})


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: answers only when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# Error pages: in the site's layout and language, with the reason the code gave and a way back. Django's
# own are bare English ("Bad Request (400)"), and the helpful message reached only the server log.


def _error_page(request: HttpRequest, status: int, heading: str, explanation: str, reason: str = ""):
    context = {"status": status, "heading": heading, "explanation": explanation, "reason": reason}
    return render(request, "error.html", context | {"back": _back(request)}, status=status)


def _back(request: HttpRequest) -> str:
    """The referring page, if it is one of this site's (the button never sends anyone elsewhere)."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:  # a disallowed Host header is what brought us here
        return ""
    return referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={host}) else ""


def _own_message(exception: BaseException | None) -> str:
    """The message our code gave an exception (translated, safe to show), or "" for Django's own."""
    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return ""
    message = exception.args[0]
    if not isinstance(message, str) or "matches the given query" in message:
        return ""  # get_object_or_404's English text names a model, not a reason
    return message


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _error_page(
        request,
        400,
        _("The request could not be read"),
        _("What was sent was malformed or far too large (for example, more fields than any form has)."),
    )


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _error_page(
        request,
        403,
        _("You may not open this page"),
        _("Your account does not give access to this page or action."),
        _own_message(exception),
    )


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _error_page(
        request,
        404,
        _("Page not found"),
        _("There is nothing here, or it is not in your area. Check the address or go back."),
        _own_message(exception),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return _error_page(
            request,
            500,
            _("Something went wrong on our side"),
            _("The error has been recorded and what you saved before is kept. Please try again shortly."),
        )
    except Exception:  # the layout itself failed (e.g. the database is down): plain text still answers
        return HttpResponseServerError(
            "Lỗi máy chủ (500). Vui lòng thử lại sau. / Server error (500). Please try again later.",
            content_type="text/plain; charset=utf-8",
        )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # Nearly always a form left open past its session (a phone woken hours later), or cookies blocked.
    return _error_page(
        request,
        403,
        _("This form has expired"),
        _("Reload the page and send the form again. If this keeps happening, allow cookies for this site."),
    )
