from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .background import background_overview


@staff_member_required
def background_status(request: HttpRequest) -> HttpResponse:
    """Staff only: is a worker running, what waits, what is retried, what failed for good."""
    return render(request, "lib/background.html", {"overview": background_overview()})
