from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from qrtrace.accounts.selectors import user_jurisdiction


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"jurisdiction": user_jurisdiction(request.user)})


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: answers only when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
