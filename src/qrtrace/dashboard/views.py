"""The officials' map, dashboard, commune page, imports, restricted areas and reports. Views parse,
call one service or selector, and respond."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from qrtrace.accounts.permissions import can_manage_province_data, can_view_dashboard, require
from qrtrace.lib.errors import Conflict

from . import reports, selectors, services
from .forms import AreaChangeForm, AreaEndForm, AreaForm, OverrideForm, ProfileImportForm
from .services import PROFILE_COLUMNS

SORTABLE = (
    "name",
    "week_new_cases",
    "previous_new_cases",
    "active_cases",
    "week_f1_traced",
    "week_f2_traced",
    "week_checkins",
    "risk",
)


def _sort_key(name: str):
    if name == "risk":
        return lambda row: (row["risk"] or {}).get("level") or 0
    return lambda row: row[name] if row[name] is not None else -1


def _chart(series: list[dict], names: tuple[str, ...]) -> dict:
    labels = reports.figure_labels()
    return {
        "days": [str(day["day"]) for day in series],
        "labels": {name: labels[name] for name in names},
        "day": _("Day"),
        **{name: [day[name] for day in series] for name in names},
    }


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"can_manage": can_manage_province_data(request.user), **context}
    return render(request, template, context, status=status)


def _errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    data = selectors.overview(user=request.user)
    sort = request.GET.get("sort", "week_new_cases")
    sort = sort if sort in SORTABLE else "week_new_cases"
    descending = request.GET.get("dir", "desc" if sort != "name" else "asc") == "desc"
    rows = sorted(data.communes, key=_sort_key(sort), reverse=descending)
    series = selectors.daily_series(user=request.user, first=data.on - timedelta(days=29), last=data.on)
    labels = selectors.extra_labels()
    states = selectors.state_figures()
    cards = [
        (name, label, data.today.counts[name], data.week.counts[name], data.previous_week.counts[name])
        for name, label in reports.figure_labels().items()
    ] + [
        (
            name,
            label,
            data.today.extra.get(name, 0),
            data.week.extra.get(name, 0),
            data.previous_week.extra.get(name, 0),
        )
        for name, label in labels.items()
    ]
    # The provided states (people in quarantine) as columns of the commune table: the week's last day.
    extra_columns = [(name, label) for name, label in labels.items() if name in states]
    for row in rows:
        row["extra_cells"] = [(name, row["week_extra"].get(name, 0)) for name, _label in extra_columns]
    context = {
        "data": data,
        "rows": rows,
        "sort": sort,
        "descending": descending,
        "cards": cards,
        "states": states,
        "extra_columns": extra_columns,
        "timeliness": [
            (name, label, data.week.median(name)) for name, label in selectors.timeliness_labels().items()
        ],
        "chart": _chart(series, ("new_cases", "f1_traced", "f2_traced", "checkins")),
    }
    return _page(request, "dashboard/overview.html", context)


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    require(can_view_dashboard, request.user)
    today = timezone.localdate()
    config = {
        "tiles": settings.QRTRACE_MAP_TILE_URL,
        "attribution": settings.QRTRACE_MAP_TILE_ATTRIBUTION,
        "layers": reverse("api:map_layer", kwargs={"name": "NAME"}),
        "commune": reverse("dashboard:commune", kwargs={"code": 0}),
        "text": {
            "capped": _("Showing %(shown)s of %(total)s features: narrow the dates."),
            "loading": _("Loading…"),
            "failed": _("The layer could not be loaded."),
            "noTiles": _("No map tiles configured: drawn on a plain background."),
            "alerts": _("alerts"),
            "facility": _("Facility"),
            "beds": _("beds"),
            "bedsHeading": _("Beds"),
            "occupied": _("Occupied"),
            "free": _("Free beds"),
            "level": _("Level"),
            "commune": _("Commune"),
            "none": _("None."),
        },
    }
    return _page(
        request,
        "dashboard/map.html",
        {"from": today - timedelta(days=13), "to": today, "config": config},
    )


@login_required
def commune(request: HttpRequest, code: int) -> HttpResponse:
    detail = selectors.commune_detail(user=request.user, code=code)
    chart = _chart(detail["series"], ("new_cases", "f1_traced", "checkins"))
    return _page(
        request,
        "dashboard/commune.html",
        {**detail, "form": OverrideForm(), "chart": chart},
    )


@login_required
@require_POST
def override(request: HttpRequest, code: int) -> HttpResponse:
    selectors.commune_detail(user=request.user, code=code)  # 404 outside the caller's area
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.risk_override_set(
                commune_code=code,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
                expires_at=form.expires_at(),
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("The level is set by decision until it expires."))
            return redirect("dashboard:commune", code=code)
    detail = selectors.commune_detail(user=request.user, code=code)
    return _page(request, "dashboard/commune.html", {**detail, "form": form, "chart": {}}, status=400)


@login_required
def profiles_import(request: HttpRequest) -> HttpResponse:
    require(can_manage_province_data, request.user)
    form = ProfileImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.profiles_import(
                data=form.cleaned_data["file"].read(), actor=request.user, request=request
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            if not result.errors:
                messages.success(request, _("%(count)s rows imported.") % {"count": result.saved})
                return redirect("dashboard:population")
    status = 400 if request.method == "POST" and (form.errors or (result and result.errors)) else 200
    return _page(
        request,
        "dashboard/population.html",
        {"form": form, "result": result, "columns": PROFILE_COLUMNS},
        status=status,
    )


@login_required
def areas(request: HttpRequest) -> HttpResponse:
    communes = selectors.scope_communes(request.user)
    form = AreaForm(request.POST or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.restricted_area_create(
                name=data["name"],
                kind=data["kind"],
                reason=data["reason"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                geometry=data["geometry"] or None,
                commune_codes=[c.code for c in data["communes"]],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            _errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The restricted area is saved."))
            return redirect("dashboard:areas")
    today = timezone.localdate()
    context = {
        "form": form,
        "areas": selectors.restricted_areas_planned(user=request.user, on=today),
        "past": selectors.restricted_areas_past(user=request.user, on=today),
        "tiles": settings.QRTRACE_MAP_TILE_URL,
    }
    return _page(request, "dashboard/areas.html", context, status=400 if form.errors else 200)


def _area_form_page(request, area, form, title: str, button: str, call) -> HttpResponse:
    """The small page of one area's change or lifting: GET shows the form; a valid POST calls the
    service and goes back to the list; what the service refuses is shown on the form (400)."""
    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        except Conflict as error:
            form.add_error(None, str(error))
        else:
            return redirect("dashboard:areas")
    context = {"area": area, "form": form, "title": title, "button": button}
    return _page(request, "dashboard/area_form.html", context, status=400 if form.errors else 200)


@login_required
def area_change(request: HttpRequest, pk: int) -> HttpResponse:
    area = selectors.restricted_area_get(user=request.user, pk=pk)
    services.restricted_area_rights(actor=request.user, area=area)
    communes = selectors.scope_communes(request.user)
    form = AreaChangeForm(request.POST or None, area=area, communes=communes)

    def call(data):
        codes = {"commune_codes": [c.code for c in data["communes"]]} if "communes" in data else {}
        services.restricted_area_change(
            actor=request.user,
            request=request,
            area=area,
            name=data["name"],
            kind=data["kind"],
            reason=data["reason"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            **codes,
        )
        messages.success(request, _("The restricted area is changed."))

    return _area_form_page(request, area, form, _("Change the area"), _("Save"), call)


@login_required
def area_end(request: HttpRequest, pk: int) -> HttpResponse:
    area = selectors.restricted_area_get(user=request.user, pk=pk)
    services.restricted_area_rights(actor=request.user, area=area)
    form = AreaEndForm(request.POST or None, initial={"on": timezone.localdate()})

    def call(data):
        services.restricted_area_end(
            actor=request.user, request=request, area=area, on=data["on"], reason=data["reason"]
        )
        messages.success(request, _("The restricted area is lifted."))

    return _area_form_page(request, area, form, _("Lift the area"), pgettext("restricted area", "Lift"), call)


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    require(can_view_dashboard, request.user)
    kept = selectors.kept_reports(user=request.user)
    return _page(request, "dashboard/reports.html", {"kept": kept, "today": timezone.localdate()})


@login_required
def report_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    report = selectors.kept_report(user=request.user, pk=pk, kind=kind)
    return FileResponse(report.path(kind).open("rb"), as_attachment=True, filename=report.path(kind).name)
