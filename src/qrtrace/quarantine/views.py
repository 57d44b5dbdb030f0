"""Quarantine pages: the board, worklists, orders with their actions, bulk orders from a case, the
lab import, policies, and the two public pages (self-report, certificate check). Views parse, call
one service or selector, respond."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qrtrace.accounts.permissions import (
    can_follow_home_quarantine,
    can_manage_quarantine_policy,
    can_read_case,
    home_commune,
    is_quarantine_official,
    require,
    require_or_404,
    staffed_facility_codes,
    station_communes,
)
from qrtrace.geo.models import Commune
from qrtrace.lib.errors import Conflict
from qrtrace.tracing.selectors import case_in_area

from . import selectors, services
from .certificate import certificate_pdf
from .forms import (
    BulkOrderForm,
    CheckForm,
    ConfirmPolicyForm,
    EndForm,
    ExtendForm,
    FacilityStatusForm,
    LabCsvForm,
    PolicyDraftForm,
    ReleaseForm,
    ResultForm,
    RevokeForm,
    RoomForm,
    StaffCheckForm,
    TransferForm,
)
from .links import certificate_signature_ok, report_signature_ok
from .messages import NO_POLICY
from .models import OPEN_STATUSES, OrderStatus, QuarantineOrder, QuarantinePolicy
from .policy import policy_changes, policy_in_force
from .services.monitoring import order_became_case
from .services.orders import issuing_unit


def _errors(error: ValidationError | Conflict) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _form_error(form, error: ValidationError | Conflict) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, _errors(error))


@login_required
def board(request: HttpRequest) -> HttpResponse:
    data = selectors.facility_board(user=request.user)
    return render(request, "quarantine/board.html", {"board": data, "stations": _stations(request.user)})


def _stations(user) -> list[int]:
    return sorted(station_communes(user))


@login_required
def my_worklist(request: HttpRequest) -> HttpResponse:
    """Facility staff and commune stations go to their own worklist."""
    require(is_quarantine_official, request.user)
    facilities = staffed_facility_codes(request.user)
    if len(facilities) == 1:
        return redirect("quarantine:facility_worklist", code=next(iter(facilities)))
    commune = home_commune(request.user)
    if commune is not None:
        return redirect("quarantine:commune_worklist", commune=commune)
    return redirect("quarantine:board")


def _worklist_page(request, items, title, facility=None):
    context = {"items": items, "title": title, "facility": facility, "today": timezone.localdate()}
    return render(request, "quarantine/worklist.html", context)


@login_required
@require_POST
def facility_rooms(request: HttpRequest, code: str) -> HttpResponse:
    """Add a room with its beds (or more beds to a room) to a facility."""
    facility = selectors.facility_in_area(user=request.user, code=code)
    form = RoomForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the values entered."))
    else:
        try:
            services.beds_add(actor=request.user, facility=facility, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("Saved."))
    return redirect("quarantine:facility", code=facility.code)


@login_required
def facility_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A facility's rooms and beds, who is in which bed, its status and the form to add rooms."""
    facility = selectors.facility_in_area(user=request.user, code=code)
    return _facility_page(request, facility)


def _facility_page(request, facility, status_form=None, status=200):
    rooms = selectors.facility_rooms_with_people(user=request.user, facility=facility, request=request)
    context = {
        "facility": facility,
        "rooms": rooms,
        "beds": sum(len(r.beds) for r in rooms),
        "occupied": sum(r.occupied for r in rooms),
        "room_form": RoomForm(),
        "status_form": status_form or FacilityStatusForm(initial={"status": facility.status}),
    }
    return render(request, "quarantine/facility.html", context, status=status)


@login_required
@require_POST
def facility_status(request: HttpRequest, code: str) -> HttpResponse:
    """Open, mark full or close the facility."""
    facility = selectors.facility_in_area(user=request.user, code=code)
    form = FacilityStatusForm(request.POST)
    if form.is_valid():
        try:
            services.facility_status_set(
                actor=request.user, facility=facility, status=form.cleaned_data["status"], request=request
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("quarantine:facility", code=facility.code)
    return _facility_page(request, facility, status_form=form, status=400)


@login_required
def facility_worklist(request: HttpRequest, code: str) -> HttpResponse:
    facility = selectors.facility_in_area(user=request.user, code=code)
    items = selectors.worklist(user=request.user, facility=facility, request=request)
    return _worklist_page(request, items, facility.name, facility)


@login_required
def commune_worklist(request: HttpRequest, commune: int) -> HttpResponse:
    require_or_404(
        can_follow_home_quarantine, request.user, commune, message=_("This commune is outside your area.")
    )
    items = selectors.worklist(user=request.user, commune=commune, request=request)
    name = Commune.objects.filter(code=commune).values_list("name", flat=True).first() or commune
    return _worklist_page(request, items, _("Home quarantine in %(commune)s") % {"commune": name})


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    require(is_quarantine_official, request.user)
    status = request.GET.get("status", "")
    filters = selectors.OrderFilter(status=status if status in OrderStatus.values else "")
    page = selectors.order_page(user=request.user, filters=filters, limit=200, offset=0, request=request)
    return render(
        request,
        "quarantine/order_list.html",
        {"page": page, "status": filters.status, "statuses": OrderStatus.choices},
    )


def _order_context(request, order: QuarantineOrder, **forms) -> dict:
    facilities = selectors.open_facilities()
    context = {
        "order": order,
        "events": selectors.order_history(order),
        "checks": order.checks.order_by("-day", "-recorded_at")[:20],
        "tests": order.tests.all(),
        "check_form": StaffCheckForm(initial={"slot": services.monitoring.current_slot()}),
        "extend_form": ExtendForm(initial={"planned_end": order.planned_end}),
        "end_form": EndForm(),
        "transfer_form": TransferForm(facilities=facilities),
        "release_form": ReleaseForm(initial={"unit": issuing_unit(order)}),
        "result_form": ResultForm(),
        "release_due": order.status == OrderStatus.IN_QUARANTINE
        and order.planned_end <= timezone.localdate(),
        # The reason links to the case when the reader may open it (facility staff may not).
        "case_link": order.case is not None and can_read_case(request.user, order.case.person.commune_id),
    }
    return context | forms


# The form of each action on the order page: a refused action shows the page again with its errors.
_ACTION_FORMS = {
    "check": ("check_form", StaffCheckForm),
    "extend": ("extend_form", ExtendForm),
    "end": ("end_form", EndForm),
    "transfer": ("transfer_form", TransferForm),
    "release": ("release_form", ReleaseForm),
    "result": ("result_form", ResultForm),
}


@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_for_official(user=request.user, order_id=order_id, request=request)
    return render(request, "quarantine/order_detail.html", _order_context(request, order))


def _act(request, order: QuarantineOrder, action: str):
    post, user = request.POST, request.user
    if action == "start":
        return services.order_start(order=order, actor=user, request=request)
    if action == "check":
        form = StaffCheckForm(post)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data() and _("Check the values entered."))
        return services.check_record(order=order, actor=user, request=request, **form.cleaned_data)
    if action == "extend":
        form = ExtendForm(post)
        if not form.is_valid():
            raise ValidationError(_("Give the new planned end and the reason."))
        return services.order_extend(order=order, actor=user, request=request, **form.cleaned_data)
    if action == "end":
        form = EndForm(post)
        if not form.is_valid():
            raise ValidationError(_("Choose the outcome and give the reason."))
        return services.order_end(order=order, actor=user, request=request, **form.cleaned_data)
    if action == "transfer":
        form = TransferForm(post, facilities=selectors.open_facilities())
        if not form.is_valid():
            raise ValidationError(_("Choose where and give the reason."))
        data = form.cleaned_data
        facility = (
            selectors.open_facilities().filter(code=data["facility"]).first() if data["facility"] else None
        )
        return services.order_transfer(
            order=order,
            actor=user,
            kind=data["kind"],
            facility=facility,
            address=data["address"],
            reason=data["reason"],
            override_reason=data["override_reason"],
            request=request,
        )
    if action == "release":
        form = ReleaseForm(post)
        form.is_valid()
        return services.order_release(
            order=order, actor=user, unit=form.cleaned_data.get("unit", ""), request=request
        )
    if action == "result":
        form = ResultForm(post)
        if not form.is_valid():
            raise ValidationError(_("Check the values entered."))
        return services.result_record(order=order, actor=user, request=request, **form.cleaned_data)
    if action == "case":
        return order_became_case(order=order, actor=user, request=request)
    if action == "revoke":
        form = RevokeForm(post)
        if not form.is_valid():
            raise ValidationError(_("Say why."))
        return services.order_certificate_revoke(
            order=order, actor=user, request=request, **form.cleaned_data
        )
    raise Http404(_("Unknown action."))


@login_required
@require_POST
def order_action(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    order = selectors.order_in_area(user=request.user, order_id=order_id)
    try:
        done = _act(request, order, action)
    except (ValidationError, Conflict) as error:
        if action not in _ACTION_FORMS:
            messages.error(request, _errors(error))
            return redirect("quarantine:order", order_id=order.pk)
        name, form_class = _ACTION_FORMS[action]
        extra = {"facilities": selectors.open_facilities()} if form_class is TransferForm else {}
        form = form_class(request.POST, **extra)
        form.is_valid()
        _form_error(form, error)
        order = selectors.order_for_official(user=request.user, order_id=order_id, request=request)
        context = _order_context(request, order, **{name: form}) | {"failed": action}
        return render(
            request,
            "quarantine/order_detail.html",
            context,
            status=409 if isinstance(error, Conflict) else 400,
        )
    messages.success(request, _("Saved."))
    if isinstance(done, QuarantineOrder) and done.pk != order.pk:  # a transfer's new order
        try:
            selectors.order_in_area(user=request.user, order_id=done.pk)
        except Http404:
            return redirect("quarantine:orders")
        return redirect("quarantine:order", order_id=done.pk)
    return redirect("quarantine:order", order_id=order.pk)


@login_required
def certificate(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_for_official(user=request.user, order_id=order_id, request=request)
    if order.certificate_number is None:
        raise Http404(_("This order has no certificate."))
    response = HttpResponse(certificate_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.certificate_number}.pdf"'
    return response


@login_required
def bulk_order(request: HttpRequest, case_id: int) -> HttpResponse:
    """From a case's F1 list: choose people (or all), where, and order them into quarantine."""
    case = case_in_area(user=request.user, case_id=case_id)
    facilities = selectors.open_facilities()
    form = BulkOrderForm(request.POST or None, facilities=facilities)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ids = (
            None
            if request.POST.get("all")
            else [int(i) for i in request.POST.getlist("exposure") if i.isdigit()]
        )
        facility = facilities.filter(code=data["facility"]).first() if data["facility"] else None
        try:
            result = services.orders_create_for_case(
                actor=request.user,
                case=case,
                exposure_ids=ids,
                kind=data["kind"],
                vaccination=data["vaccination"],
                facility=facility,
                start_date=data["start_date"],
                cohort=data["cohort"],
                request=request,
            )
        except (ValidationError, Conflict) as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("%(n)d quarantine orders made; each person is sent an SMS.") % {"n": len(result.created)},
            )
    exposures, open_people = selectors.case_f1_to_order(user=request.user, case=case, request=request)
    context = {
        "case": case,
        "exposures": exposures,
        "open_people": open_people,
        "form": form,
        "result": result,
    }
    return render(request, "quarantine/bulk_order.html", context)


@login_required
def lab_import(request: HttpRequest) -> HttpResponse:
    require(is_quarantine_official, request.user)
    form = LabCsvForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.lab_csv_import(
                actor=request.user, data=form.cleaned_data["file"].read(), request=request
            )
        except ValidationError as error:
            _form_error(form, error)
    return render(request, "quarantine/lab_import.html", {"form": form, "result": result})


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    require(is_quarantine_official, request.user)
    policies = QuarantinePolicy.objects.prefetch_related("rules").order_by("-effective_from", "-pk")
    return render(
        request,
        "quarantine/policy_list.html",
        {"policies": policies, "can_manage": can_manage_quarantine_policy(request.user)},
    )


@login_required
def policy_new(request: HttpRequest) -> HttpResponse:
    """Draft a new policy from the one in force (its cells prefilled), then see its what-if."""
    require(can_manage_quarantine_policy, request.user)
    base = policy_in_force(timezone.localdate())
    rules = list(base.rules.order_by("reason", "vaccination"))
    initial = {"effective_from": timezone.localdate(), "checks_per_day": base.checks_per_day}
    form = PolicyDraftForm(request.POST or None, rules=rules, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            policy = services.policy_draft_create(
                actor=request.user,
                version=data["version"],
                title=data["title"],
                source=data["source"],
                effective_from=data["effective_from"],
                checks_per_day=data["checks_per_day"],
                rules=form.rules(),
                request=request,
            )
        except (ValidationError, Conflict) as error:
            _form_error(form, error)
        else:
            return redirect("quarantine:policy", policy_id=policy.pk)
    status = 400 if form.errors else 200
    return render(request, "quarantine/policy_new.html", {"form": form, "base": base}, status=status)


@login_required
def policy_preview(request: HttpRequest, policy_id: int) -> HttpResponse:
    """What-if: the open orders a draft policy would change and how; applied only when the official
    ticks the confirmation (and the list is still the one shown)."""
    require(can_manage_quarantine_policy, request.user)
    policy = QuarantinePolicy.objects.prefetch_related("rules").filter(pk=policy_id).first()
    if policy is None:
        raise Http404(str(NO_POLICY))
    form = ConfirmPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        expected = [int(i) for i in form.cleaned_data["orders"].split(",") if i.isdigit()]
        try:
            changes = services.policy_apply(
                actor=request.user, policy=policy, expected=expected, request=request
            )
        except Conflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Policy applied: %(n)d orders changed.") % {"n": len(changes)})
            return redirect("quarantine:policies")
    changes = policy_changes(policy) if policy.status == "draft" else []
    ids = ",".join(str(c.order_id) for c in changes)
    if not form.is_bound:
        form = ConfirmPolicyForm(initial={"orders": ids})
    context = {"policy": policy, "changes": changes, "form": form}
    return render(request, "quarantine/policy_preview.html", context, status=400 if form.errors else 200)


# --- public pages ---------------------------------------------------------------------------------


def self_report(request: HttpRequest, order_id: int, sig: str) -> HttpResponse:
    """A person at home reports their health on the link their SMS carries: no login, no script, one
    screen. A wrong or altered link is a 404, as for a missing order."""
    if not report_signature_ok(order_id, sig):
        raise Http404(_("This link is not valid."))
    order = QuarantineOrder.objects.select_related("person").filter(pk=order_id).first()
    if order is None:
        raise Http404(_("This link is not valid."))
    form = CheckForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.check_record(order=order, actor=None, request=request, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            done = True
            form = CheckForm()
    first = order.person.full_name.split()[-1] if order.person.full_name else ""
    return render(
        request,
        "quarantine/self_report.html",
        {
            "order": order,
            "form": form,
            "done": done,
            "first_name": first,
            "open": order.status in OPEN_STATUSES,
        },
    )


def initials(full_name: str) -> str:
    return ".".join(part[0].upper() for part in full_name.split() if part) + "."


def verify(request: HttpRequest, number: str, sig: str) -> HttpResponse:
    """The certificate's QR: genuine or revoked, with the person's initials and the dates only."""
    if not certificate_signature_ok(number, sig):
        raise Http404(_("This certificate is not known."))
    order = QuarantineOrder.objects.select_related("person").filter(certificate_number=number).first()
    if order is None:
        raise Http404(_("This certificate is not known."))
    context = {
        "order": order,
        "initials": initials(order.person.full_name),
        "revoked": order.certificate_revoked_at is not None,
        "last_day": order.planned_end - timedelta(days=1),
    }
    return render(request, "quarantine/verify.html", context)
