"""The tracing console for commune and provincial officials. Views only parse, call, respond."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qrtrace.accounts.permissions import can_read_person, can_trace, require
from qrtrace.checkins.selectors import declared_residences
from qrtrace.lib.cells import export_response
from qrtrace.lib.errors import Conflict
from qrtrace.lib.search import PER_PAGE, parse_search
from qrtrace.notifications.selectors import message_list
from qrtrace.people.services import person_update

from . import alerts, selectors, services
from .forms import (
    AlertForm,
    CaseForm,
    CaseUpdateForm,
    ContactForm,
    NotifyForm,
    PlaceForm,
    ReasonForm,
    ResidenceForm,
)
from .graph import chain_graph
from .hooks import case_links
from .models import CaseStatus, Level, VenueAlert
from .notify import case_reference, message_body, notifications_pending
from .rules import Rules


def _form_error(form: Form, error: ValidationError | Conflict) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    search = parse_search(request.GET.get("q"))
    cases = selectors.case_list(
        user=request.user,
        status=status if status in CaseStatus.values else "",
        search=search,
        page=request.GET.get("page"),
        request=request,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "cases": cases,
        "page": cases,
        "query": query,
        "search": search.text,
        "status": status,
        "statuses": CaseStatus.choices,
        # The worklist of contacts with no residence belongs to whoever may read those people.
        "province_worklist": can_read_person(request.user, None),
    }
    return render(request, "tracing/case_list.html", context)


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    require(can_trace, request.user)
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_register(actor=request.user, request=request, **form.cleaned_data)
        except (ValidationError, Conflict) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Case registered; tracing is queued."))
            return redirect("tracing:case", case_id=case.pk)
    return render(request, "tracing/case_form.html", {"form": form})


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for_official(user=request.user, case_id=case_id, request=request)
    _count, f1 = selectors.exposure_page(
        user=request.user, case_id=case.pk, level=Level.F1, limit=None, request=request
    )
    # F2 can run to hundreds: a page of them at a time (the F1, who are acted on first, all at once).
    number = request.GET.get("page", "1")
    number = int(number) if number.isdigit() and 0 < int(number) < 10**6 else 1
    f2_count, f2 = selectors.exposure_page(
        user=request.user,
        case_id=case.pk,
        level=Level.F2,
        limit=PER_PAGE,
        offset=(number - 1) * PER_PAGE,
        request=request,
    )
    f2_page = Paginator(range(f2_count), PER_PAGE).get_page(number)
    exposures = [*f1, *f2]
    # Delivery status beside each contact, so a failed SMS is seen and the person called instead.
    sent = {m.person_id: m for m in message_list(reference=case_reference(case.pk))}
    # Contacts whose recent check-ins declared another commune than the one on record, for review.
    since = timezone.now() - timedelta(days=settings.QRTRACE_RETENTION_DAYS)
    elsewhere = declared_residences(person_ids=[e.person_id for e in exposures], since=since)
    for exposure in exposures:
        exposure.message = sent.get(exposure.person_id)
        exposure.declared_elsewhere = elsewhere.get(exposure.person_id, [])
    counts = selectors.exposure_counts(user=request.user, case_id=case.pk)
    pending = notifications_pending(case=case)
    return render(
        request,
        "tracing/case_detail.html",
        {
            "case": case,
            "case_links": case_links(request.user, case),
            "timeline": selectors.case_timeline(user=request.user, case=case, request=request),
            "rules": Rules.from_settings().in_words(),
            "f1": f1,
            "f2": f2,
            "f2_count": f2_count,
            "page": f2_page,
            "f1_counts": counts[Level.F1],
            "f2_counts": counts[Level.F2],
            "pending_f1": len(pending[Level.F1]),
            "pending_f2": len(pending[Level.F2]),
            "graph": chain_graph(case, exposures),
            "place_form": PlaceForm(),
            "contact_form": ContactForm(),
            "residence_form": ResidenceForm(),
            "update_form": CaseUpdateForm(
                initial={
                    "status": case.status,
                    "isolated_at": case.isolated_at and timezone.localtime(case.isolated_at),
                    "treated_at_place": case.treated_at_place,
                    "notes": case.notes,
                }
            ),
        },
    )


@login_required
def case_notify(request: HttpRequest, case_id: int) -> HttpResponse:
    """Review and send: the count per level and the exact text each level gets; sending needs the
    counts the official saw, so a list that changed meanwhile is reviewed again."""
    case = selectors.case_in_area(user=request.user, case_id=case_id)
    form = NotifyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            expected = {Level.F1: form.cleaned_data["f1"], Level.F2: form.cleaned_data["f2"]}
            try:
                queued = services.case_notifications_confirm(
                    case=case, actor=request.user, expected=expected, request=request
                )
            except (ValidationError, Conflict) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(
                    request,
                    _("Messages queued: %(f1)d F1 first, then %(f2)d F2.")
                    % {"f1": queued[Level.F1], "f2": queued[Level.F2]},
                )
                return redirect("tracing:case", case_id=case.pk)
        else:
            messages.error(request, _("Review the list before sending."))
    pending = notifications_pending(case=case)
    levels = [
        {"level": level, "count": len(pending[level]), "body": message_body(level)} for level in Level.values
    ]
    reviewed = NotifyForm(initial={"f1": len(pending[Level.F1]), "f2": len(pending[Level.F2])})
    total = sum(len(exposures) for exposures in pending.values())
    context = {"case": case, "levels": levels, "form": reviewed, "total": total}
    return render(request, "tracing/case_notify.html", context)


@login_required
def followup_list(request: HttpRequest) -> HttpResponse:
    exposures = selectors.followup_list(user=request.user, request=request)
    return render(request, "tracing/followup_list.html", {"exposures": exposures})


@login_required
def unknown_residence(request: HttpRequest) -> HttpResponse:
    exposures = selectors.unknown_residence_list(user=request.user, request=request)
    return render(request, "tracing/unknown_residence.html", {"exposures": exposures})


@login_required
def timeline_print(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_in_area(user=request.user, case_id=case_id)
    timeline = selectors.case_timeline(user=request.user, case=case, request=request)
    return render(request, "tracing/timeline_print.html", {"case": case, "timeline": timeline})


@login_required
@require_POST
def case_trace(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_in_area(user=request.user, case_id=case_id)
    summary = services.case_trace(case=case, actor=request.user, request=request)
    messages.success(
        request, _("Traced: %(f1)d F1, %(f2)d F2.") % {"f1": summary.f1_count, "f2": summary.f2_count}
    )
    return redirect("tracing:case", case_id=case.pk)


@login_required
@require_POST
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_in_area(user=request.user, case_id=case_id)
    form = CaseUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.case_update(case=case, actor=request.user, request=request, **form.cleaned_data)
        except (ValidationError, Conflict) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Case updated."))
    else:
        messages.error(request, _("The case was not updated: check the status and time."))
    return redirect("tracing:case", case_id=case.pk)


@login_required
@require_POST
def place_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_in_area(user=request.user, case_id=case_id)
    form = PlaceForm(request.POST)
    if form.is_valid():
        try:
            services.timeline_place_add(case=case, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("The place was not added: check the name and times."))
    return redirect("tracing:case", case_id=case.pk)


@login_required
@require_POST
def contact_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_in_area(user=request.user, case_id=case_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.exposure_add_manual(case=case, actor=request.user, request=request, **form.cleaned_data)
        except (ValidationError, Conflict) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.error(request, _("The contact was not added: check the phone number and reason."))
    return redirect("tracing:case", case_id=case.pk)


@login_required
@require_POST
def followup(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_in_area(user=request.user, case_id=case_id)
    ids = [int(i) for i in request.POST.getlist("exposure") if i.isdigit()]
    try:
        chosen = services.exposure_select_for_followup(
            case=case, exposure_ids=ids, actor=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(n)d contacts handed over for follow-up.") % {"n": len(chosen)})
    return redirect("tracing:case", case_id=case.pk)


@login_required
@require_POST
def exposure_dismiss(request: HttpRequest, exposure_id: int) -> HttpResponse:
    exposure = selectors.exposure_in_area(user=request.user, exposure_id=exposure_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        services.exposure_dismiss(
            exposure=exposure, actor=request.user, reason=form.cleaned_data["reason"], request=request
        )
    else:
        messages.error(request, _("Say why this contact is dismissed."))
    return redirect("tracing:case", case_id=exposure.case_id)


@login_required
@require_POST
def exposure_residence(request: HttpRequest, exposure_id: int) -> HttpResponse:
    """An official correcting where a contact lives, with a reason (audited by person_update): the
    trusted path for a residence their check-ins declared differently."""
    exposure = selectors.exposure_in_area(user=request.user, exposure_id=exposure_id)
    form = ResidenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose where the contact lives and say why."))
    else:
        commune = form.cleaned_data["commune"]
        person_update(
            person=exposure.person,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            commune_id=int(commune) if commune else None,
            clear_commune=not commune,
            request=request,
        )
        messages.success(
            request, _("%(name)s's residence is corrected.") % {"name": exposure.person.full_name}
        )
    return redirect("tracing:case", case_id=exposure.case_id)


@login_required
def export(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    if kind not in ("csv", "xlsx"):
        raise Http404
    case = selectors.case_in_area(user=request.user, case_id=case_id)
    header, rows, footer = selectors.exposure_export(user=request.user, case=case, request=request)
    name = f"case-{case.pk}-contacts"
    return export_response(header, rows, footer, kind=kind, name=name, sheet_title=name)


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    items = [
        (a, AlertForm(initial=_alert_initial(a), prefix=str(a.pk)))
        for a in selectors.alert_list(user=request.user)[:200]
    ]
    return render(request, "tracing/alert_list.html", {"items": items})


def _alert_initial(alert: VenueAlert) -> dict:
    return {
        "status": alert.status,
        "starts_at": timezone.localtime(alert.starts_at),
        "ends_at": timezone.localtime(alert.ends_at),
        "message": alert.message,
    }


@login_required
@require_POST
def alert_change(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_object_or_404(selectors.alert_list(user=request.user), pk=alert_id)
    form = AlertForm(request.POST, prefix=str(alert.pk))
    if form.is_valid():
        try:
            alerts.alert_change(alert=alert, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Alert saved."))
    else:
        messages.error(request, _("The alert was not saved: check the times."))
    return redirect("tracing:alerts")
