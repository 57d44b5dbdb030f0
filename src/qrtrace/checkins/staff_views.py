"""Pages for venue staff and officials: the gate scanner and the visitor log (scoped, audited)."""

import functools
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST

from qrtrace.accounts.permissions import can_read_phone_numbers, can_read_visitors, can_use_gate
from qrtrace.lib.cells import export_response, provenance
from qrtrace.lib.crypto import decrypt
from qrtrace.lib.display import DATETIME_FORMAT, date_text, phone_text
from qrtrace.lib.identity import mask_phone
from qrtrace.people.models import Person
from qrtrace.people.selectors import person_by_citizen_id, person_by_phone

from .declaration import FIELDS
from .flags import reason_labels
from .forms import DeclarationForm, ExportForm, StaffEntryForm, StaffLookupForm, VisitorFilterForm
from .models import CheckIn, CheckInMethod, CheckOutMethod
from .personal_qr import InvalidPersonalCode, person_from_token
from .selectors import (
    inside_count,
    open_checkin,
    staff_venue,
    staff_venue_list,
    visitor_list,
)
from .services.gate import gate_device_enrol, gate_device_list, gate_device_revoke, person_gate_read
from .services.visitor_log import visitor_log_read
from .services.visits import checkin_checkout, checkin_staff_create

_PERSON_SALT = "checkins.gate"
_PERSON_MAX_AGE = 15 * 60  # the card on screen goes stale; staff scan again
# openpyxl's write-only workbook still builds the whole zip in memory; CSV streams with no limit.
_XLSX_MAX = 50_000
_EXPORT_CHUNK = 2_000  # rows fetched from the database at a time while a file streams
_PHONES_CACHED = 50_000  # people whose phone cell an export keeps (~10 MB)


def _signed_person(request: HttpRequest) -> Person:
    try:
        pk = signing.loads(request.POST.get("person", ""), salt=_PERSON_SALT, max_age=_PERSON_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    return get_object_or_404(Person, pk=pk)


@login_required
def gate_index(request: HttpRequest) -> HttpResponse:
    return render(request, "checkins/gate_index.html", {"venues": staff_venue_list(user=request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def gate(request: HttpRequest, code: str) -> HttpResponse:
    venue = staff_venue(user=request.user, code=code, rule=can_use_gate)
    action = request.POST.get("action")
    context = {
        "venue": venue,
        "lookup": StaffLookupForm(),
        "entry": None,
        "card": None,
        "offline_declaration": DeclarationForm(prefix="offline"),
        # The queued entry asks the residence too, defaulting to the venue's commune like the online one.
        "offline_person": StaffEntryForm(prefix="offline", initial={"commune": str(venue.commune_id)}),
        "offline_text": _offline_text(),
        "devices": gate_device_list(staff=request.user, venue=venue),
        # Shown once, to the device that asked for it (gate_offline.js keeps it).
        "new_device_token": request.session.pop(_NEW_DEVICE_KEY + venue.code, ""),
    }
    person, method, status = None, CheckInMethod.STAFF_SCAN, 200
    # What a manual entry shows (the person found, the form to fill, or the query's error) is work the
    # staff member typed: the camera waits (gate.js) rather than replace it with the card still in view.
    context["hold_scanner"] = action in ("lookup", "enter")
    if action == "scan":
        context["scanned"] = request.POST.get("token", "")
        try:
            person = person_from_token(context["scanned"])
        except InvalidPersonalCode:
            context["error"] = _("This personal QR code is not valid: it was revoked or replaced.")
            status = 400
    elif action == "lookup":
        context["lookup"] = lookup = StaffLookupForm(request.POST)
        status = 400
        if lookup.is_valid():
            status = 200
            kind, value = lookup.cleaned_data["query"]
            person = person_by_phone(value) if kind == "phone" else person_by_citizen_id(value)
            method = CheckInMethod.STAFF_ENTRY
            if person is None:
                context["entry"] = StaffEntryForm(initial={kind: value, "commune": str(venue.commune_id)})
    elif action == "enter":
        context["entry"] = entry = StaffEntryForm(request.POST)
        status = 400
        if entry.is_valid():
            checkin = checkin_staff_create(
                staff=request.user,
                venue=venue,
                method=CheckInMethod.STAFF_ENTRY,
                declaration=entry.declaration(),
                identity=entry.identity(),
                request=request,
            )
            return _done(request, venue, checkin)
    elif action == "checkin":
        declaration = DeclarationForm(request.POST)
        declaration.is_valid()  # unticked boxes are "no": a declaration form is always valid
        checkin = checkin_staff_create(
            staff=request.user,
            venue=venue,
            person=_signed_person(request),
            request=request,
            method=_gate_method(request.POST.get("method")),
            declaration=declaration.declaration(),
        )
        return _done(request, venue, checkin)
    elif action == "checkout":
        inside = open_checkin(person=_signed_person(request), venue=venue)
        if inside is not None:
            checkin_checkout(checkin=inside, method=CheckOutMethod.STAFF, staff=request.user, request=request)
            messages.success(request, _("%(name)s checked out.") % {"name": inside.person.full_name})
        return redirect("checkins:gate", code=venue.code)
    if person is not None:
        card = person_gate_read(staff=request.user, venue=venue, person=person, request=request)
        today = card.today
        context |= {
            "card": card,
            "method": method,
            "person_ref": signing.dumps(person.pk, salt=_PERSON_SALT),
            "declaration": DeclarationForm(initial={f: getattr(today, f) for f in FIELDS} if today else None),
        }
    return render(request, "checkins/gate.html", context, status=status)


def _offline_text() -> dict[str, str]:
    """What gate_offline.js says, translated here."""
    return {
        "offline": _("No network: check-ins are saved on this device."),
        "waiting": _("%(n)s waiting to be sent."),
        "synced": _("Everything saved on this device has been sent."),
        "refused": _("%(n)s refused when sent (a forged or revoked card, or a wrong entry)."),
        "notEnrolled": _("This device is not enrolled: enrol it below so that it can send what it saves."),
    }


_NEW_DEVICE_KEY = "gate-device-token:"
# What the gate page needs besides itself, kept by its service worker for use with no network.
GATE_ASSETS = (
    "qrtrace/site.css",
    "checkins/checkin.css",
    "checkins/gate.js",
    "checkins/gate_offline.js",
    "jsqr/jsQR.js",
)


@login_required
@require_POST
def gate_device(request: HttpRequest, code: str) -> HttpResponse:
    """Enrol this browser as a device of the gate, which then keeps working offline; or cut one off."""
    venue = staff_venue(user=request.user, code=code, rule=can_use_gate)
    if request.POST.get("action") == "revoke":
        if gate_device_revoke(staff=request.user, venue=venue, prefix=request.POST.get("prefix", "")):
            messages.success(request, _("The device is cut off: what it still holds will be refused."))
    else:
        request.session[_NEW_DEVICE_KEY + venue.code] = gate_device_enrol(staff=request.user, venue=venue)
        messages.success(request, _("This device is enrolled: it keeps checking people in with no network."))
    return redirect("checkins:gate", code=venue.code)


@cache_control(no_cache=True)
def gate_service_worker(request: HttpRequest) -> HttpResponse:
    """The gate's service worker, served under /gate/ so that it may control the gate pages."""
    scope = reverse("checkins:gate_index")
    assets = [static(name) for name in GATE_ASSETS]
    response = render(
        request,
        "checkins/gate_sw.js",
        {
            "assets": json.dumps(assets),
            "version": hashlib.sha256("".join(assets).encode()).hexdigest()[:12],
            "scope": scope,
        },
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = scope
    return response


def _gate_method(raw: str | None) -> str:
    # Only the two gate methods: a forged field must not record a self-scan or an API check-in.
    return CheckInMethod.STAFF_ENTRY if raw == CheckInMethod.STAFF_ENTRY else CheckInMethod.STAFF_SCAN


def _done(request: HttpRequest, venue, checkin: CheckIn) -> HttpResponse:
    messages.success(
        request,
        _("%(name)s checked in: %(risk)s.")
        % {"name": checkin.person.full_name, "risk": checkin.get_risk_display()},
    )
    return redirect("checkins:gate", code=venue.code)


@login_required
def visitors(request: HttpRequest, code: str) -> HttpResponse:
    venue = staff_venue(user=request.user, code=code, rule=can_read_visitors)
    form = VisitorFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "checkins/visitors.html", {"venue": venue, "form": form}, status=400)
    filters = {k: form.cleaned_data[k] for k in ("day_from", "day_to", "risk")}
    checkins = visitor_list(
        venue=venue,
        inside_only=form.cleaned_data["inside"],
        review_only=form.cleaned_data["review"],
        **filters,
    )
    # Venue staff see masked phone numbers; health officials of the area need them whole to call.
    full_phones = can_read_phone_numbers(request.user)
    export = request.GET.get("format")
    export_form = ExportForm(request.GET if export else None)
    if export in ("csv", "xlsx") and export_form.is_valid():
        if export == "xlsx" and (count := checkins.count()) > _XLSX_MAX:
            # Refused, not cut short: a file missing visits would look complete to whoever traces.
            export_form.add_error(
                None,
                _(
                    "These filters match %(count)s check-ins; an Excel file holds at most %(max)s. "
                    "Export CSV instead, or choose fewer days."
                )
                % {
                    "count": number_format(count, force_grouping=True),
                    "max": number_format(_XLSX_MAX, force_grouping=True),
                },
            )
        else:
            purpose = export_form.cleaned_data["purpose"]
            exported = visitor_log_read(
                user=request.user,
                venue=venue,
                checkins=checkins,
                action="export",
                request=request,
                filters={**filters, "format": export},
                purpose=purpose,
            )
            footer = _export_footer(request.user, venue, purpose, form.cleaned_data)
            return _export(venue, exported, export, full_phones, footer)
    page = Paginator(checkins, 50).get_page(request.GET.get("page"))
    visitor_log_read(
        user=request.user,
        venue=venue,
        checkins=list(page),  # the rows shown: one query, which the template then reuses
        action="read",
        request=request,
        filters=filters,
    )
    query = request.GET.copy()
    for key in ("page", "format", "purpose"):
        query.pop(key, None)
    context = {
        "venue": venue,
        "form": form,
        "export_form": export_form,
        "page": page,
        "rows": [
            (checkin, _phone(checkin.person.phone, full_phones), reason_labels(checkin.review_reason))
            for checkin in page
        ],
        "inside": inside_count(venue=venue),
        "query": query.urlencode(),
        # The export form repeats the filters, so the file holds what the page shows.
        "filter_fields": [(key, value) for key, values in query.lists() for value in values],
    }
    return render(request, "checkins/visitors.html", context, status=400 if export_form.errors else 200)


def _phone(phone: str | None, full: bool) -> str:
    if not phone:
        return ""
    return phone_text(phone) if full else mask_phone(phone)


def _export_footer(user, venue, purpose: str, filters: dict) -> list[str]:
    """Who exported, when and why, printed under the rows: the file says where it came from."""
    return [
        _("Visitor log of %(venue)s, %(day_from)s to %(day_to)s.")
        % {
            "venue": venue,
            "day_from": date_text(filters["day_from"]),
            "day_to": date_text(filters["day_to"]),
        },
        provenance(exported_by=user.get_username(), purpose=purpose),
        _("Personal data: use only for disease control; the export is recorded in the audit log."),
    ]


def _export(venue, checkins, export: str, full_phones: bool, footer: list[str]) -> HttpResponse:
    header = [
        _("Entered"),
        _("Left"),
        _("Check-out"),
        _("Full name"),
        _("Phone number"),
        _("Year of birth"),
        _("Declaration"),
        _("How"),
        _("Staff"),
        _("Needs review"),
    ]
    rows = _export_rows(checkins, full_phones)
    name = f"visitors-{venue.code}-{timezone.localdate():%Y%m%d}"
    return export_response(header, rows, footer, kind=export, name=name, sheet_title=venue.name)


def _export_rows(checkins, full_phones: bool) -> Iterator[list]:
    """One list of cells per check-in, fetched a chunk at a time: only a chunk is ever in memory.

    Plain tuples of the columns the file shows, not model instances, and every label looked up in a
    dict made once: per row, Django's get_FOO_display() alone (which hashes each lazily translated
    choice) cost more than all the rest.
    """
    labels = {
        name: {value: str(label) for value, label in CheckIn._meta.get_field(name).flatchoices}
        for name in ("checkout_method", "risk", "method")
    }
    checkout, risk, method = labels["checkout_method"], labels["risk"], labels["method"]
    local = _LocalMinutes()

    # Decrypting a phone (Fernet) cost more than the rest of a row (docs/benchmarks.md, "Exports"): the
    # column is read as its ciphertext and each person's cell made once, however often they came.
    @functools.lru_cache(maxsize=_PHONES_CACHED)
    def phone(token: str | None) -> str:
        return _phone(decrypt(token) if token else None, full_phones)

    columns = (
        *("entered_at", "left_at", "checkout_method", "person__full_name", "phone_token"),
        *("person__birth_year", "risk", "method", "staff__username", "review_reason"),
    )
    encrypted = checkins.annotate(phone_token=Cast("person__phone", TextField()))
    for row in encrypted.values_list(*columns).iterator(chunk_size=_EXPORT_CHUNK):
        entered, left, checked_out, name, token, born, declared, how, staff, review = row
        yield [
            local(entered),
            local(left),
            checkout.get(checked_out, checked_out),
            name,
            phone(token),
            born,
            risk.get(declared, declared),
            method.get(how, how),
            staff or "",
            "; ".join(reason_labels(review)) if review else "",
        ]


class _LocalMinutes(dict):
    """Local "dd/mm/yyyy HH:MM" (lib.display) of an aware datetime, kept per minute: a million rows
    fall in the minutes of a few days (30,240 in the longest range a filter allows), and a lookup costs far
    less than a time-zone conversion."""

    def __call__(self, moment: datetime | None) -> str:
        return "" if moment is None else self[int(moment.timestamp()) // 60]

    def __missing__(self, minute: int) -> str:
        moment = datetime.fromtimestamp(minute * 60, tz=UTC)
        text = self[minute] = timezone.localtime(moment).strftime(DATETIME_FORMAT)
        return text
