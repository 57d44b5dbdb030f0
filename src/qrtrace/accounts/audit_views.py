"""The audit log review page (/audit/) for the province office and administrators.

It lives here rather than in `audit`: who may read the log is a rule of this app, and audit sits
below it (every app, this one included, writes audit events). The page keeps the `audit:` URL
names (`audit_urls`).
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qrtrace.audit.selectors import audit_action_list
from qrtrace.audit.services import audit_log_read

from .forms import AuditFilterForm
from .permissions import can_read_audit, require

PAGE_SIZE = 50


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    require(can_read_audit, request.user)
    form = AuditFilterForm(request.GET)
    context = {"form": form, "actions": audit_action_list(), "page": None}
    if not form.is_valid():
        return render(request, "accounts/audit_log.html", context, status=400)
    events = audit_log_read(actor=request.user, request=request, filters=form.cleaned_data)
    context["page"] = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context["query"] = request.GET.copy()
    context["query"].pop("page", None)
    return render(request, "accounts/audit_log.html", context)
