"""The "my data" pages: phone → SMS code → the person's own records and who read them. No account.
And the legal-hold pages of the province office."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from qrtrace.accounts.permissions import can_manage_legal_holds, require
from qrtrace.checkins.models import DeviceTrust
from qrtrace.checkins.views import remember_device
from qrtrace.lib.errors import Conflict
from qrtrace.people.models import Person
from qrtrace.people.services import person_update

from .forms import CodeForm, DetailsForm, LegalHoldForm, LiftForm, PhoneForm
from .models import LegalHold
from .my_data import (
    SELF_UPDATE_PURPOSE,
    TooManyAttempts,
    my_data_accesses,
    my_data_checkins,
    my_data_code_send,
    my_data_family,
    my_data_verify,
)
from .selectors import legal_hold_list
from .services import legal_hold_lift, legal_hold_place

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


def _verified_person(request: HttpRequest) -> Person | None:
    """The person whose phone this browser proved by SMS code in the last MAX_AGE seconds."""
    person_id = request.get_signed_cookie(COOKIE, default=None, salt=_COOKIE_SALT, max_age=MAX_AGE)
    return Person.objects.filter(pk=person_id).first() if person_id and person_id.isdigit() else None


def _expired(request: HttpRequest) -> HttpResponse:
    # Expired, forged, or the person's data was purged meanwhile.
    response = _start_page(request, PhoneForm(), status=403, expired=True)
    response.delete_cookie(COOKIE, samesite="Lax")
    return response


@never_cache
def records(request: HttpRequest) -> HttpResponse:
    person = _verified_person(request)
    if person is None:
        return _expired(request)
    family = my_data_family(person=person)
    context = {
        "person": person,
        "checkins": my_data_checkins(family=family),
        "accesses": my_data_accesses(family=family),
        "retention_days": settings.QRTRACE_RETENTION_DAYS,
    }
    return render(request, "privacy/records.html", context)


@require_POST
def remember(request: HttpRequest) -> HttpResponse:
    """Remember this phone as the person whose number it just proved (their cards, family, one-tap
    check-in); the person's phones remembered without proof are forgotten."""
    person = _verified_person(request)
    if person is None:
        return _expired(request)
    response = redirect("checkins:my_qr")
    remember_device(response, person, trust=DeviceTrust.SMS)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def details(request: HttpRequest) -> HttpResponse:
    """The person correcting their own name, year of birth and residence: the one way a citizen
    changes what is stored about them (a check-in's declaration never does), audited."""
    person = _verified_person(request)
    if person is None:
        return _expired(request)
    initial = {"full_name": person.full_name, "birth_year": person.birth_year, "commune": person.commune_id}
    form = DetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person_update(
            person=person,
            actor=None,
            reason=SELF_UPDATE_PURPOSE,
            full_name=data["full_name"],
            birth_year=data["birth_year"],
            commune_id=int(data["commune"]) if data["commune"] else None,
            clear_commune=not data["commune"],  # "another province"
            request=request,
        )
        messages.success(request, _("Your details are saved."))
        return redirect("privacy:records")
    return render(request, "privacy/details.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def end(request: HttpRequest) -> HttpResponse:
    response = redirect("home")
    response.delete_cookie(COOKIE, samesite="Lax")
    return response


def _holds_page(request: HttpRequest, form: LegalHoldForm, *, status: int = 200) -> HttpResponse:
    live, ended = legal_hold_list(now=timezone.now())
    context = {
        "form": form,
        "live": live,
        "ended": ended,
        "lift_form": LiftForm(),
        "tracing_days": settings.QRTRACE_TRACING_RETENTION_DAYS,
    }
    return render(request, "privacy/holds.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def hold_list(request: HttpRequest) -> HttpResponse:
    require(can_manage_legal_holds, request.user)
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hold = legal_hold_place(
                actor=request.user,
                case_id=data["case"],
                reason=data["reason"],
                until=data["until"],
                request=request,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field, errors)
        else:
            messages.success(
                request,
                _("Case F0-%(case)d is held until %(until)s.")
                % {"case": hold.case_id, "until": date_format(hold.until, "SHORT_DATE_FORMAT")},
            )
            return redirect("privacy:holds")
    return _holds_page(request, form, status=400 if form.errors else 200)


@login_required
@require_POST
def hold_lift(request: HttpRequest, hold_id: int) -> HttpResponse:
    require(can_manage_legal_holds, request.user)
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The hold was not lifted: give the reason (at least 10 characters)."))
        return redirect("privacy:holds")
    try:
        hold = legal_hold_lift(
            actor=request.user, hold_id=hold_id, reason=form.cleaned_data["reason"], request=request
        )
    except LegalHold.DoesNotExist:
        raise Http404(_("No such legal hold.")) from None
    except (ValidationError, Conflict) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The hold on case F0-%(case)d is lifted.") % {"case": hold.case_id})
    return redirect("privacy:holds")
