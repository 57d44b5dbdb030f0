from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from qrtrace.accounts.selectors import can_review_audit_log

from .forms import AuditFilterForm
from .selectors import audit_action_list
from .services import audit_log_read

PAGE_SIZE = 50


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    if not can_review_audit_log(request.user):
        raise PermissionDenied(_("Only the province office and administrators may read the audit log."))
    form = AuditFilterForm(request.GET)
    context = {"form": form, "actions": audit_action_list(), "page": None}
    if not form.is_valid():
        return render(request, "audit/event_list.html", context, status=400)
    events = audit_log_read(actor=request.user, request=request, filters=form.cleaned_data)
    context["page"] = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context["query"] = request.GET.copy()
    context["query"].pop("page", None)
    return render(request, "audit/event_list.html", context)
