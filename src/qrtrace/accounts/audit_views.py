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
from qrtrace.audit.vocabulary import action_words, person_names, purpose_words

from .forms import AuditFilterForm
from .permissions import can_read_audit, require

PAGE_SIZE = 50


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    require(can_read_audit, request.user)
    form = AuditFilterForm(request.GET, recorded_actions=audit_action_list())
    context = {"form": form, "page": None}
    if not form.is_valid():
        return render(request, "accounts/audit_log.html", context, status=400)
    events = audit_log_read(actor=request.user, request=request, filters=form.cleaned_data)
    page = Paginator(events.select_related("actor"), PAGE_SIZE).get_page(request.GET.get("page"))
    subjects = {s.person_id for event in page for s in event.subjects.all()}
    names = person_names(viewer=request.user, person_ids=subjects, request=request)
    context["page"] = page
    context["rows"] = [_row(event, names) for event in page]
    context["query"] = request.GET.copy()
    context["query"].pop("page", None)
    return render(request, "accounts/audit_log.html", context)


def _row(event, names: dict[int, str]) -> dict:
    actor = event.actor.get_full_name() if event.actor is not None else ""
    who = f"{actor} ({event.actor_name})" if actor else event.actor_name
    people = [names.get(s.person_id) or f"#{s.person_id}" for s in event.subjects.all()]
    return {
        "at": event.at,
        "who": who,
        "action": action_words(event.action),
        "code": event.action,
        "record": f"{event.object_type}{' #' + event.object_id if event.object_id else ''}",
        "purpose": purpose_words(event.purpose),
        "people": people,
        "ip": event.ip or "",
    }
