"""The "my data" pages: phone → SMS code → the person's own records and who read them. No account."""

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from qrtrace.checkins.models import Person

from .forms import CodeForm, PhoneForm
from .my_data import (
    TooManyAttempts,
    my_data_accesses,
    my_data_checkins,
    my_data_code_send,
    my_data_family,
    my_data_verify,
)

COOKIE = "qrt_my_data"
_COOKIE_SALT = "privacy.my_data.person"
_TICKET_SALT = "privacy.my_data.phone"
MAX_AGE = 15 * 60  # the verified page, and the code form, stay open this long


def _ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _start_page(request: HttpRequest, form: PhoneForm, *, status: int = 200, **notices: bool) -> HttpResponse:
    context = {"form": form, "retention_days": settings.QRTRACE_RETENTION_DAYS, **notices}
    return render(request, "privacy/start.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if not my_data_code_send(phone=phone, ip=_ip(request)):
            return _start_page(request, form, status=429, limited=True)
        ticket = signing.dumps(phone, salt=_TICKET_SALT)
        return render(request, "privacy/verify.html", {"form": CodeForm(initial={"ticket": ticket})})
    return _start_page(request, form, status=400 if form.errors else 200)


@never_cache
@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if not form.is_valid():
        return render(request, "privacy/verify.html", {"form": form}, status=400)
    try:
        phone = signing.loads(form.cleaned_data["ticket"], salt=_TICKET_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return _start_page(request, PhoneForm(), status=400, expired=True)
    try:
        person = my_data_verify(phone=phone, code=form.cleaned_data["code"], ip=_ip(request), request=request)
    except TooManyAttempts:
        return render(request, "privacy/verify.html", {"form": form, "limited": True}, status=429)
    if person is None:
        return render(request, "privacy/verify.html", {"form": form, "wrong": True}, status=400)
    response = redirect("privacy:records")
    response.set_signed_cookie(
        COOKIE,
        str(person.pk),
        salt=_COOKIE_SALT,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@never_cache
def records(request: HttpRequest) -> HttpResponse:
    person_id = request.get_signed_cookie(COOKIE, default=None, salt=_COOKIE_SALT, max_age=MAX_AGE)
    person = Person.objects.filter(pk=person_id).first() if person_id and person_id.isdigit() else None
    if person is None:  # expired, forged, or the person's data was purged meanwhile
        response = _start_page(request, PhoneForm(), status=403, expired=True)
        response.delete_cookie(COOKIE, samesite="Lax")
        return response
    family = my_data_family(person=person)
    context = {
        "person": person,
        "checkins": my_data_checkins(family=family),
        "accesses": my_data_accesses(family=family),
        "retention_days": settings.QRTRACE_RETENTION_DAYS,
    }
    return render(request, "privacy/records.html", context)


@require_POST
def end(request: HttpRequest) -> HttpResponse:
    response = redirect("home")
    response.delete_cookie(COOKIE, samesite="Lax")
    return response
