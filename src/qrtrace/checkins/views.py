"""Citizens' pages: the scan page, the confirmation, check-out and "my QR". No account, no JavaScript."""

from datetime import UTC, datetime
from types import SimpleNamespace

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from qrtrace.people.models import Person
from qrtrace.people.selectors import wards_named
from qrtrace.venues.qr import InvalidVenueCode, venue_from_token
from qrtrace.venues.views import invalid_code_response

from .declaration import restricted_note, today
from .forms import CheckInForm, DeclarationForm, answers_from
from .hooks import venue_announcements
from .models import CheckIn, CheckOutMethod
from .pages import Mold
from .personal_qr import personal_qr_svg
from .selectors import ALERT_WINDOW, device_person, open_checkin, receipt_lines, visited_alerts
from .services.devices import device_forget, device_register
from .services.limits import checkin_attempt_allow
from .services.personal_codes import personal_code_issue, personal_code_revoke
from .services.visits import AttemptRefused, checkin_checkout, checkin_self_create

DEVICE_COOKIE = "qrt_device"
_DEVICE_SALT = "checkins.device"
_DEVICE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookies at 400 days
_RECEIPT_SALT = "checkins.receipt"
_RECEIPT_MAX_AGE = 24 * 3600


def _device_token(request: HttpRequest) -> str | None:
    return request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=_DEVICE_SALT, max_age=_DEVICE_MAX_AGE)


def remember_device(response: HttpResponse, person: Person, *, trust: str) -> None:
    """Remember this phone as `person`, for a reason (`DeviceTrust`) the caller established."""
    _device_cookie_set(response, device_register(person=person, trust=trust))


def _device_cookie_set(response: HttpResponse, token: str) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        token,
        salt=_DEVICE_SALT,
        max_age=_DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def receipt(checkins: list[CheckIn]) -> str:
    """A signed, opaque reference to these check-ins: the confirmation link holds no personal data.
    With the ids, the earliest time of entry (seconds): on PostgreSQL the check-ins are then read
    from the day partitions since then, not looked for in every day's (planning a receipt's read
    across all of them cost more than the rest of the receipt)."""
    since = int(min(checkin.entered_at for checkin in checkins).timestamp())
    return signing.dumps([[checkin.pk for checkin in checkins], since], salt=_RECEIPT_SALT, compress=True)


def _receipt_payload(ref: str) -> tuple[list[int], datetime | None]:
    """The check-in ids of a receipt and the earliest time they can have been entered at."""
    try:
        payload = signing.loads(ref, salt=_RECEIPT_SALT, max_age=_RECEIPT_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    if payload and isinstance(payload[0], int):  # signed before 2026-12-02, ids only: gone by 12-03
        return payload, None
    ids, since = payload
    return ids, datetime.fromtimestamp(since, tz=UTC)


def _receipt_checkins(ref: str) -> list[CheckIn]:
    ids, since = _receipt_payload(ref)
    checkins = CheckIn.objects.filter(pk__in=ids)
    if since is not None:
        checkins = checkins.filter(entered_at__gte=since)
    checkins = list(checkins.order_by("pk"))
    if not checkins:
        raise Http404
    return checkins


# The first check-in form, as every phone the server does not know sees it at any venue of one
# commune (the shape: residence defaults to the venue's commune, issue 13; and whether restricted
# areas are in force, whose names then fill the RESTRICTED slot under the travel question).
_FIRST_SCAN_PAGE = Mold(
    "checkins/scan.html",
    context=lambda marker, shape: {
        "venue": SimpleNamespace(name=marker("NAME"), address=marker("ADDRESS")),
        "form": _first_form(shape[0]),
        "person": None,
        "limited": False,
        "retention_days": settings.QRTRACE_RETENTION_DAYS,
        "restricted_note": marker("RESTRICTED") if shape[1] else "",
    },
)


def _first_form(commune_id: int | None, data=None) -> CheckInForm:
    """The first check-in form; where one lives defaults to the venue's commune."""
    return CheckInForm(data, initial={"commune": str(commune_id)} if commune_id else None)


# The health declaration as a returning phone first sees it (nothing ticked); the shape: whether
# restricted areas are in force (named in the RESTRICTED slot).
_DECLARATION = Mold(
    "checkins/declaration.html",
    context=lambda marker, noted: {
        "form": DeclarationForm(),
        "restricted_note": marker("RESTRICTED") if noted else "",
    },
)


# The one-tap page of a remembered phone with nothing to warn about (not inside this venue, no
# exposure alert), by how many family members it lists and whether restricted areas are named.
_ONE_TAP_PAGE = Mold(
    "checkins/scan.html",
    context=lambda marker, shape: {
        "venue": SimpleNamespace(name=marker("NAME"), address=marker("ADDRESS")),
        "form": DeclarationForm(),
        "person": SimpleNamespace(full_name=marker("PERSON")),
        "wards": [
            SimpleNamespace(pk=marker(f"WARD{i}"), full_name=marker(f"WARDNAME{i}")) for i in range(shape[0])
        ],
        "limited": False,
        "retention_days": settings.QRTRACE_RETENTION_DAYS,
        "restricted_note": marker("RESTRICTED") if shape[1] else "",
    },
)
_MOLDED_WARDS = 6  # as many as the first form declares; more is rare enough for the template


def _no_messages(request: HttpRequest) -> bool:
    """Whether this request certainly has no messages to show: they are kept in a cookie or, past
    its size, in the session (the default FallbackStorage), and it sends neither."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def _declared(request: HttpRequest, venue, form, person: Person | None, attempt) -> HttpResponse:
    """Record a valid declaration (of `person`, the phone's remembered person, or of the identity the
    form holds) and answer with the redirect to its receipt."""
    ward_ids = [int(pk) for pk in request.POST.getlist("ward") if pk.isdigit()]
    first = person is None
    remember = first and form.cleaned_data["remember"]
    done = checkin_self_create(
        venue=venue,
        submitter=form.identity() if first else person,
        declaration=form.declaration(),
        ward_ids=ward_ids,
        new_members=form.members() if first else (),
        # Each family member's own declaration (issue 13): unticked, they declared no symptoms.
        ward_declarations={pk: answers_from(request.POST, f"ward_{pk}_") for pk in ward_ids},
        new_member_declarations=form.member_declarations() if first else (),
        attempt=attempt,
        remember=remember,
    )
    # Remembered as the person only when this declaration created them; a number already known is
    # proven by SMS first (the receipt says how), else anyone typing it would see their cards.
    response = redirect(
        reverse("checkins:receipt", args=[receipt(done.checkins)])
        + ("" if done.created or not remember else "?prove=1")
    )
    if done.device_token:
        _device_cookie_set(response, done.device_token)
    return response


@require_http_methods(["GET", "POST"])
def scan(request: HttpRequest, token: str) -> HttpResponse:
    try:
        venue = venue_from_token(token)
    except InvalidVenueCode as exc:
        return invalid_code_response(request, exc)
    device_token = _device_token(request)
    person = device_person(device_token) if device_token else None
    someone_else = person is None or "someone_else" in request.GET or "full_name" in request.POST
    note = restricted_note(on=today())
    if request.method == "GET" and someone_else and _no_messages(request):
        values = {"NAME": venue.name, "ADDRESS": venue.address, "RESTRICTED": note}
        values |= {"CSRF": get_token(request), "PATH": request.get_full_path()}
        return HttpResponse(_FIRST_SCAN_PAGE.render(request, values, shape=(venue.commune_id, bool(note))))
    data = request.POST if request.method == "POST" else None
    form = _first_form(venue.commune_id, data) if someone_else else DeclarationForm(data)
    limited = False
    if request.method == "POST":
        # The attempt's rate limit is taken whether or not the form is valid; with a valid form, in
        # the check-in's own transaction, before anything is saved (a refused attempt loses nothing
        # and the page keeps what was typed).
        device_key = device_token or request.COOKIES.get(settings.CSRF_COOKIE_NAME)
        attempt = (request.META.get("REMOTE_ADDR", ""), device_key)
        if form.is_valid():
            try:
                return _declared(request, venue, form, person if not someone_else else None, attempt)
            except AttemptRefused:
                limited = True
        else:
            limited = not checkin_attempt_allow(ip=attempt[0], device=attempt[1])
    context = {
        "venue": venue,
        "form": form,
        "person": None if someone_else else person,
        "limited": limited,
        "retention_days": settings.QRTRACE_RETENTION_DAYS,
        "restricted_note": note,
    }
    if person is not None and not someone_else:
        inside = open_checkin(person=person, venue=venue)
        since = timezone.now() - ALERT_WINDOW
        alerts = visited_alerts(person=person, since=since)
        wards = [] if inside else wards_named(guardian_id=person.pk)  # inside: the check-out card only
        if not (form.is_bound or inside or alerts or len(wards) > _MOLDED_WARDS) and _no_messages(request):
            values = {
                "NAME": venue.name,
                "ADDRESS": venue.address,
                "RESTRICTED": note,
                "PERSON": person.full_name,
            }
            values |= {"CSRF": get_token(request), "PATH": request.get_full_path()}
            for i, ward in enumerate(wards):
                values |= {f"WARD{i}": str(ward.pk), f"WARDNAME{i}": ward.full_name}
            return HttpResponse(_ONE_TAP_PAGE.render(request, values, shape=(len(wards), bool(note))))
        context |= {
            "inside": inside,
            "inside_ref": receipt([inside]) if inside else "",
            "wards": wards,
            "alerts": alerts,
        }
        if not form.is_bound:
            context["declaration_html"] = _DECLARATION.render(request, {"RESTRICTED": note}, shape=bool(note))
    status = 429 if limited else 400 if form.errors else 200
    return render(request, "checkins/scan.html", context, status=status)


# The receipt of check-ins still open (every receipt a POST redirects to), by how many it shows.
_RECEIPT_FIELDS = ("risk", "risk_label", "venue_name", "person_name", "entered_time", "entered_date")
_MOLDED_RECEIPTS = 10  # a phone and its family; more is rare enough for the template


def _receipt_slot(field: str, index: int) -> str:
    return f"{field.replace('_', '').upper()}{index}"


_OPEN_RECEIPT = Mold(
    "checkins/receipt.html",
    # The shape: how many check-ins, and whether the receipt says how to prove the phone number
    # (a known number declared from a phone that does not remember it: common, so molded too).
    context=lambda marker, shape: {
        "checkins": [
            SimpleNamespace(left_at=None, **{f: marker(_receipt_slot(f, i)) for f in _RECEIPT_FIELDS})
            for i in range(shape[0])
        ],
        "ref": marker("REF"),
        "announcements_html": marker("ANNOUNCEMENTS"),
        "prove": shape[1],
    },
)


# Rendered announcement blocks by language and content: a few long announcements cost ~2 ms to render
# (linking their URLs), more than the rest of the receipt; every check-in in their area shows the same.
_ANNOUNCEMENT_BLOCKS: dict[tuple, str] = {}
_ANNOUNCEMENT_BLOCKS_KEPT = 256


def _announcements_html(checkins) -> str:
    """The announcements for the venues of these check-ins, as their block of the receipt ("" if none:
    the usual case costs one look-up in the providers' memory, no rendering)."""
    items = venue_announcements(commune_ids=[checkin.commune_id for checkin in checkins])
    if not items:
        return ""
    key = (get_language(), tuple(tuple(sorted(item.items())) for item in items))
    html = _ANNOUNCEMENT_BLOCKS.get(key)
    if html is None:
        if len(_ANNOUNCEMENT_BLOCKS) >= _ANNOUNCEMENT_BLOCKS_KEPT:
            _ANNOUNCEMENT_BLOCKS.clear()
        html = render_to_string("checkins/_announcements.html", {"announcements": items})
        _ANNOUNCEMENT_BLOCKS[key] = html
    return html


def receipt_view(request: HttpRequest, ref: str) -> HttpResponse:
    ids, since = _receipt_payload(ref)
    checkins = receipt_lines(checkin_ids=ids, since=since)
    if not checkins:
        raise Http404
    prove = "prove" in request.GET
    molded = len(checkins) <= _MOLDED_RECEIPTS and not any(c.left_at for c in checkins)
    if molded and _no_messages(request):
        values = {"REF": ref, "CSRF": get_token(request), "PATH": request.get_full_path()}
        values["ANNOUNCEMENTS"] = mark_safe(_announcements_html(checkins))  # noqa: S308 (rendered, escaped)
        for i, checkin in enumerate(checkins):
            values |= {_receipt_slot(field, i): getattr(checkin, field) for field in _RECEIPT_FIELDS}
        return HttpResponse(_OPEN_RECEIPT.render(request, values, shape=(len(checkins), prove)))
    context = {
        "checkins": checkins,
        "ref": ref,
        "prove": prove,
        "announcements_html": mark_safe(_announcements_html(checkins)),  # noqa: S308 (rendered, escaped)
    }
    return render(request, "checkins/receipt.html", context)


@require_POST
def checkout(request: HttpRequest, ref: str) -> HttpResponse:
    method = CheckOutMethod.RESCAN if request.POST.get("via") == "rescan" else CheckOutMethod.BUTTON
    for checkin in _receipt_checkins(ref):
        checkin_checkout(checkin=checkin, method=method)
    return redirect("checkins:receipt", ref=ref)


def _device_owner(request: HttpRequest) -> Person:
    token = _device_token(request)
    person = device_person(token) if token else None
    if person is None:
        raise Http404
    return person


@require_http_methods(["GET", "POST"])
def my_qr(request: HttpRequest) -> HttpResponse:
    """The personal QR codes of this phone's person and the family members they declared."""
    owner = _device_owner(request)
    family = [owner, *owner.wards.order_by("full_name")]
    if request.method == "POST":
        chosen = next((p for p in family if str(p.pk) == request.POST.get("person")), None)
        if chosen is None:
            raise Http404
        if request.POST.get("action") == "revoke":
            personal_code_revoke(person=chosen)
        else:
            personal_code_issue(person=chosen)
        return redirect("checkins:my_qr")
    cards = [(p, personal_qr_svg(p) if p.personal_code else "") for p in family]
    return render(request, "checkins/my_qr.html", {"cards": cards})


@require_POST
def forget_device(request: HttpRequest) -> HttpResponse:
    token = _device_token(request)
    if token:
        device_forget(token=token)
    response = redirect("home")
    response.delete_cookie(DEVICE_COOKIE, samesite="Lax")
    return response
