"""Officials' pages: write and edit announcements, send an urgent one by SMS, handle citizens' reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qrtrace.accounts.permissions import area_q, can_write_announcements, home_commune, require

from . import selectors, services
from .forms import AnnouncementForm, SmsForm


def _commune_choices(user):
    """The communes an official may address: all of the province for its office, their own for a station."""
    return selectors.province_communes().filter(area_q(user, ""))


@login_required
def announcement_list(request: HttpRequest) -> HttpResponse:
    items = selectors.announcements_for_official(user=request.user)[:200]
    return render(request, "public/announcement_list.html", {"items": items})


@login_required
@require_http_methods(["GET", "POST"])
def announcement_new(request: HttpRequest) -> HttpResponse:
    require(can_write_announcements, request.user)
    communes = _commune_choices(request.user)
    initial = {"communes": [home_commune(request.user)]} if home_commune(request.user) else {}
    form = AnnouncementForm(request.POST or None, initial=initial, commune_choices=communes)
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_create(actor=request.user, request=request, **form.values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The announcement is published."))
            return redirect("public:announcement_list")
    return render(
        request, "public/announcement_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def announcement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = selectors.announcement_for_official(user=request.user, pk=pk)
    form = AnnouncementForm(
        request.POST or None, instance=announcement, commune_choices=_commune_choices(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_update(
                announcement=announcement,
                actor=request.user,
                withdrawn=form.cleaned_data.get("withdrawn", False),
                request=request,
                **form.values(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The announcement is saved."))
            return redirect("public:announcement_list")
    context = {"form": form, "announcement": announcement, "sms_form": SmsForm()}
    return render(request, "public/announcement_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def announcement_sms(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = selectors.announcement_for_official(user=request.user, pk=pk)
    form = SmsForm(request.POST)
    if form.is_valid():
        try:
            services.announcement_sms_request(
                announcement=announcement, actor=request.user, days=form.cleaned_data["days"], request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The SMS are being queued; the count shows here when done."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("public:announcement_edit", pk=announcement.pk)


@login_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    handled = request.GET.get("handled") == "1"
    items = selectors.feedback_list(user=request.user, handled=handled, request=request)
    return render(request, "public/feedback_list.html", {"items": items, "handled": handled})


@login_required
@require_POST
def feedback_handle(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_for_official(user=request.user, pk=pk)
    services.feedback_handle(
        feedback=feedback, actor=request.user, note=request.POST.get("note", ""), request=request
    )
    messages.success(request, _("Marked as handled."))
    return redirect("public:feedback_list")
